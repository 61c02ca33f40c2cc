using System.CommandLine;
using System.CommandLine.Parsing;
using System.Net;
using System.Net.Sockets;
using MemLens.Tool.Dashboard;

namespace MemLens.Tool.Cli;

/// <summary>
/// Options of the verbs that serve the web dashboard by default (watch, demo): where it listens, the token
/// that guards it, whether to open a browser — and <c>--tui</c>, the terminal view instead.
/// </summary>
internal sealed class DashboardOptions
{
    public Option<bool> Tui { get; } = new("--tui")
    {
        Description = "Show the live view in this terminal instead of serving the web dashboard. Default: off (the dashboard).",
    };

    // No DefaultValueFactory on these: the help would say the default twice. Read() fills it in.
    public Option<int?> Port { get; } = new("--port")
    {
        Description = "TCP port of the dashboard, 0 to 65535; 0 lets the system choose a free one, printed at start. Default: 0.",
        CustomParser = ParsePort,
    };

    public Option<IPAddress?> Bind { get; } = new("--bind")
    {
        Description = "IP address the dashboard listens on. Any address but loopback makes it reachable from the network, " +
                      "so it then requires an access token (--token-file, MEMLENS_TOKEN or --token; else one is generated). Default: 127.0.0.1.",
        CustomParser = ParseAddress,
    };

    /// <summary><c>--token</c>, <c>--token-file</c> and <c>MEMLENS_TOKEN</c>.</summary>
    public TokenOptions Tokens { get; } = new("--token", "--token-file", TokenVariable, "the dashboard's API");

    /// <summary>The environment variable the dashboard's token is read from when no option gives it.</summary>
    public const string TokenVariable = "MEMLENS_TOKEN";

    public Option<bool> NoBrowser { get; } = new("--no-browser")
    {
        Description = "Do not try to open the dashboard in a browser, only print its URL. " +
                      "Default: open it with xdg-open when a display (DISPLAY or WAYLAND_DISPLAY) is available.",
    };

    /// <summary>Adds the options and the rules that tie them to <paramref name="jsonLines"/> (the other terminal output).</summary>
    /// <param name="withTui">False for a verb without a terminal view (trace): --tui is then not offered.</param>
    public void AddTo(Command command, Option<bool> jsonLines, bool withTui = true)
    {
        if (withTui)
        {
            command.Options.Add(Tui);
        }

        command.Options.Add(Port);
        command.Options.Add(Bind);
        command.Options.Add(Tokens.Token);
        command.Options.Add(Tokens.File);
        command.Options.Add(NoBrowser);

        command.Validators.Add(r =>
        {
            bool tui = withTui && r.GetValue(Tui), json = r.GetValue(jsonLines);
            if (tui && json)
            {
                r.AddError("--tui and --json-lines are two different terminal outputs; choose one.");
                return;
            }

            // Saying where the dashboard listens while asking for no dashboard is a mistake worth pointing out.
            var given = new Option[] { Port, Bind, Tokens.Token, Tokens.File }.Where(o => r.GetResult(o) is { Implicit: false }).Select(o => o.Name).ToList();
            if ((tui || json) && given.Count > 0)
            {
                r.AddError($"{string.Join(", ", given)} configure{(given.Count == 1 ? "s" : "")} the web dashboard, " +
                           $"which {(tui ? "--tui" : "--json-lines")} replaces; drop one or the other.");
                return;
            }

            if (!tui && !json && Tokens.Problem(r, r.GetValue(Bind) ?? IPAddress.Loopback) is { } problem)
            {
                r.AddError(problem);
            }
        });
    }

    /// <summary>True unless the terminal view (--tui) or JSON lines were asked for.</summary>
    public bool ServesDashboard(ParseResult parse, Option<bool> jsonLines) =>
        !(parse.CommandResult.Command.Options.Contains(Tui) && parse.GetValue(Tui)) && !parse.GetValue(jsonLines);

    /// <summary>Where and how to serve, with the token settled: the one given, or a new one on a non-loopback address.</summary>
    public DashboardSettings Read(ParseResult parse)
    {
        var address = parse.GetValue(Bind) ?? IPAddress.Loopback;
        var warnings = new List<string>();
        string? given = Tokens.Read(parse, warnings);
        foreach (string warning in warnings)
        {
            Console.Error.WriteLine("memlens: " + warning);
        }

        return DashboardSettings.Create(address, parse.GetValue(Port) ?? 0, given, openBrowser: !parse.GetValue(NoBrowser));
    }

    internal static int? ParsePort(ArgumentResult result)
    {
        string text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
        if (int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int port)
            && port <= IPEndPoint.MaxPort)
        {
            return port;
        }

        result.AddError($"{OptionName(result, "--port")} takes a number from 0 to 65535 (0 picks a free port), not '{text}'.");
        return null;
    }

    internal static string? ParseToken(ArgumentResult result)
    {
        string text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
        if (!TokenOptions.IsWellFormed(text))
        {
            result.AddError($"{OptionName(result, "--token")} must be non-empty printable ASCII without spaces.");
            return null;
        }

        return text;
    }

    internal static IPAddress? ParseAddress(ArgumentResult result)
    {
        string text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
        // IPAddress.TryParse also takes "127.1" or "5"; only the usual IPv4 and IPv6 forms are meant here.
        if (IPAddress.TryParse(text, out var address)
            && (address.AddressFamily == AddressFamily.InterNetworkV6 || text.Count(c => c == '.') == 3))
        {
            return address;
        }

        result.AddError($"{OptionName(result, "--bind")} takes an IP address such as 127.0.0.1, 0.0.0.0 or ::1, not '{text}'.");
        return null;
    }

    // The parsers serve --port/--bind/--token and the metrics endpoint's --metrics-port/--metrics-bind/--metrics-token.
    private static string OptionName(ArgumentResult result, string fallback) => (result.Parent as OptionResult)?.Option.Name ?? fallback;
}
