using System.Diagnostics;

namespace MemLens.Tests.Shared;

/// <summary>
/// Prometheus's own checker (<c>promtool</c>, from Debian's prometheus package, which ./test.sh installs): the
/// exposition MemLens writes is judged by what Prometheus accepts, not by MemLens's own reading of the format.
/// </summary>
internal static class Promtool
{
    public static string Path => Find("promtool");

    /// <summary>Runs <c>promtool check metrics</c> on <paramref name="exposition"/>; exit code and everything it printed.</summary>
    public static Task<(int ExitCode, string Output)> CheckMetricsAsync(string exposition) => RunAsync(["check", "metrics"], exposition);

    /// <summary>Runs <c>promtool check config</c> on a configuration file (its syntax: files it names need not exist).</summary>
    public static Task<(int ExitCode, string Output)> CheckConfigAsync(string configFile) => RunAsync(["check", "config", "--syntax-only", configFile], stdin: null);

    private static async Task<(int ExitCode, string Output)> RunAsync(string[] args, string? stdin)
    {
        var psi = new ProcessStartInfo(Path)
        {
            RedirectStandardInput = stdin is not null,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (string arg in args)
        {
            psi.ArgumentList.Add(arg);
        }

        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin);
            process.StandardInput.Close();
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, (await stdout + await stderr).Trim());
    }

    /// <summary>A program of Debian's prometheus package, or a failure that says how to get it.</summary>
    public static string Find(string program)
    {
        foreach (string folder in (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin").Split(':'))
        {
            string candidate = System.IO.Path.Combine(folder, program);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException($"{program} is not installed: ./test.sh installs Debian's prometheus package (apt-get install prometheus).");
    }
}
