using System.CommandLine;
using System.CommandLine.Parsing;
using System.Net;
using System.Text;
using MemLens.Tool.Dashboard;

namespace MemLens.Tool.Cli;

/// <summary>
/// Where an access token comes from, most explicit first: <c>--token</c> (works, but every user of the machine sees
/// it in <c>ps</c>, so it warns), <c>--token-file PATH</c>, then an environment variable. Off loopback a token must be
/// at least <see cref="DashboardSettings.MinimumTokenLength"/> characters. The dashboard's and the metrics
/// endpoint's tokens are separate (a scraper's token does not open the dashboard): <c>MEMLENS_TOKEN</c> and
/// <c>MEMLENS_METRICS_TOKEN</c>.
/// </summary>
internal sealed class TokenOptions
{
    /// <summary>Largest token file read: a token is a line, not a document.</summary>
    public const int MaxFileBytes = 4096;

    private readonly string _variable;

    public TokenOptions(string tokenOption, string fileOption, string variable, string guards)
    {
        _variable = variable;
        Token = new Option<string?>(tokenOption)
        {
            Description = $"Access token for {guards} (Authorization: Bearer …). Visible to every user in ps: prefer " +
                          $"{fileOption} or {variable}. Off loopback at least {DashboardSettings.MinimumTokenLength} characters. " +
                          "Default: none on a loopback address, a random one (printed) on any other.",
            HelpName = "TOKEN",
            CustomParser = DashboardOptions.ParseToken,
        };
        File = new Option<string?>(fileOption)
        {
            Description = $"Read the access token from this file (its first line, surrounding spaces removed; at most {MaxFileBytes} bytes); " +
                          $"it should be readable by you only (chmod 600). Default: the {variable} environment variable, if set.",
            HelpName = "PATH",
        };
    }

    public Option<string?> Token { get; }

    public Option<string?> File { get; }

    /// <summary>The environment variable read when neither option is given.</summary>
    public string Variable => _variable;

    /// <summary>Why the token cannot be used on <paramref name="address"/>, in one line; null when it can (or there is none).</summary>
    public string? Problem(SymbolResult result, IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (result.GetResult(Token) is not null && result.GetResult(File) is not null)
        {
            return $"{Token.Name} and {File.Name} both give the token; keep one ({File.Name} stays out of ps).";
        }

        var (token, from, error) = Resolve(result.GetValue(Token), result.GetValue(File));
        return error ?? DashboardSettings.WeakTokenProblem(address, token, from);
    }

    /// <summary>The token to use (null for none) and the warnings to print about where it came from.</summary>
    public string? Read(ParseResult parse, List<string> warnings)
    {
        ArgumentNullException.ThrowIfNull(parse);
        ArgumentNullException.ThrowIfNull(warnings);
        string? file = parse.GetValue(File);
        var (token, _, _) = Resolve(parse.GetValue(Token), file);
        if (parse.GetValue(Token) is not null)
        {
            warnings.Add($"warning: {Token.Name} is visible to every user of this machine (ps, /proc); pass the token in {_variable} or {File.Name} instead.");
        }
        else if (file is not null && OthersMayRead(file))
        {
            warnings.Add($"warning: {file} is readable by other users of this machine; chmod 600 it.");
        }

        return token;
    }

    // (token, where it came from, error). The validator has already refused whatever gives an error here.
    private (string? Token, string From, string? Error) Resolve(string? given, string? file)
    {
        if (given is not null)
        {
            return (given, Token.Name, null);
        }

        if (file is not null)
        {
            var (token, error) = ReadFile(file);
            return (token, $"the token in {file}", error);
        }

        string? variable = Environment.GetEnvironmentVariable(_variable);
        if (string.IsNullOrWhiteSpace(variable))
        {
            return (null, _variable, null);
        }

        variable = variable.Trim();
        return IsWellFormed(variable)
            ? (variable, _variable, null)
            : (null, _variable, $"{_variable} must be printable ASCII without spaces.");
    }

    private (string? Token, string? Error) ReadFile(string path)
    {
        string name = File.Name;
        try
        {
            if (Directory.Exists(path))
            {
                return (null, $"{name}: {path} is a directory, not a file holding the token.");
            }

            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read);
            var buffer = new byte[MaxFileBytes + 1];
            int read = stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
            if (read > MaxFileBytes)
            {
                return (null, $"{name}: {path} is larger than {MaxFileBytes} bytes; it should hold the token alone.");
            }

            string text = Encoding.UTF8.GetString(buffer, 0, read);
            string token = text.Split('\n', 2)[0].Trim();
            if (token.Length == 0)
            {
                return (null, $"{name}: {path} is empty; put the token on its first line.");
            }

            return IsWellFormed(token) ? (token, null) : (null, $"{name}: the token in {path} must be printable ASCII without spaces.");
        }
        catch (FileNotFoundException)
        {
            return (null, $"{name}: no such file: {path}.");
        }
        catch (DirectoryNotFoundException)
        {
            return (null, $"{name}: no such file: {path}.");
        }
        catch (UnauthorizedAccessException)
        {
            return (null, $"{name}: permission denied: {path}.");
        }
        catch (IOException ex)
        {
            return (null, $"{name}: cannot read {path}: {ex.Message}");
        }
    }

    private static bool OthersMayRead(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            return false;
        }

        try
        {
            return (System.IO.File.GetUnixFileMode(path) & (UnixFileMode.GroupRead | UnixFileMode.OtherRead)) != 0;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    // It travels in a header and in a URL fragment: printable ASCII without spaces survives both unchanged.
    internal static bool IsWellFormed(string token) => token.Length > 0 && token.All(c => c is > ' ' and <= '~');
}
