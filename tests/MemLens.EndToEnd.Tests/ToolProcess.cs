using System.Diagnostics;
using System.Text;

namespace MemLens.EndToEnd.Tests;

/// <summary>Runs the real memlens tool (MemLens.Tool.dll beside the tests) as a child process.</summary>
internal static class ToolProcess
{
    public static string ToolDll => Path.Combine(AppContext.BaseDirectory, "MemLens.Tool.dll");

    public static string DemoDll => Path.Combine(AppContext.BaseDirectory, "MemLens.Demo.dll");

    public static string Dotnet =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";

    private static readonly Lazy<string> s_workDir = new(() =>
    {
        string dir = Directory.CreateTempSubdirectory("memlens-e2e-").FullName;
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                Directory.Delete(dir, recursive: true);
            }
            catch (IOException)
            {
            }
        };
        return dir;
    });

    /// <summary>
    /// The working directory memlens runs in: a temp folder of this test run, deleted when it ends, so that the
    /// recordings watch, run, trace and demo make by default (./memlens-recordings/) never land beside the tests.
    /// </summary>
    public static string WorkDir => s_workDir.Value;

    /// <summary>Runs memlens with the arguments and returns exit code, stdout and stderr.</summary>
    /// <summary>Ends a child process and everything it started, if it still runs, and frees it.</summary>
    public static async ValueTask KillAndDisposeAsync(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }
        }
        finally
        {
            process.Dispose();
        }
    }

    public static Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(TimeSpan timeout, params string[] args) =>
        RunAsync(timeout, whileRunning: null, args);

    /// <summary>Runs another program (e.g. <c>go tool pprof</c>) to its end, within two minutes, and returns what it printed.</summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunProgramAsync(string program, params string[] args)
    {
        var psi = new ProcessStartInfo(program, args) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await p.WaitForExitAsync(cts.Token);
        return (p.ExitCode, await stdout, await stderr);
    }

    /// <summary>
    /// Runs memlens and, while it runs, calls <paramref name="whileRunning"/> over and over with a flag that
    /// says whether memlens was still alive when the call ended (for references taken at the same time).
    /// </summary>
    public static Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(TimeSpan timeout, Func<Func<bool>, Task>? whileRunning, params string[] args) =>
        RunAsync(timeout, whileRunning, asUser: null, environment: null, stdin: null, args);

    /// <summary>Runs memlens as another user (<c>runuser</c>, so the tests must run as root), with <paramref name="home"/> as its .NET home.</summary>
    public static Task<(int ExitCode, string Stdout, string Stderr)> RunAsUserAsync(string user, string home, TimeSpan timeout, params string[] args) =>
        RunAsync(timeout, whileRunning: null, asUser: (user, home), environment: null, stdin: null, args);

    /// <summary>Runs memlens with extra environment variables and, when given, <paramref name="stdin"/> written to its standard input.</summary>
    public static Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(TimeSpan timeout, IReadOnlyDictionary<string, string> environment, string? stdin, params string[] args) =>
        RunAsync(timeout, whileRunning: null, asUser: null, environment, stdin, args);

    private static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(TimeSpan timeout, Func<Func<bool>, Task>? whileRunning, (string User, string Home)? asUser,
        IReadOnlyDictionary<string, string>? environment, string? stdin, string[] args)
    {
        var psi = new ProcessStartInfo(asUser is null ? Dotnet : "runuser")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = asUser is { } user ? user.Home : WorkDir,
        };
        if (asUser is { } other)
        {
            foreach (var a in new[] { "-u", other.User, "--", "env", "DOTNET_CLI_HOME=" + other.Home, Dotnet })
            {
                psi.ArgumentList.Add(a);
            }
        }

        psi.ArgumentList.Add(ToolDll);
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            psi.Environment[name] = value;
        }

        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (stdin is not null)
        {
            await p.StandardInput.WriteAsync(stdin); // read meanwhile above, so a full output pipe cannot block it
        }

        p.StandardInput.Close();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            while (whileRunning is not null && !p.HasExited && !cts.IsCancellationRequested)
            {
                await whileRunning(() => !p.HasExited);
            }

            await p.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"memlens {string.Join(' ', args)} did not finish within {timeout}: {await stderr}");
        }

        return (p.ExitCode, await stdout, await stderr);
    }
}

/// <summary>The demo workload started as a real child process; waits for its ready line; stops it on dispose.</summary>
internal sealed class DemoProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stderr = new();

    private DemoProcess(Process process) => _process = process;

    public int Pid => _process.Id;

    public Process Process => _process;

    /// <summary>The dashboard URL the demo printed when started with <c>--listen</c>, or null.</summary>
    public Uri? DashboardUrl { get; private set; }

    public static async Task<DemoProcess> StartAsync(params string[] args)
    {
        var psi = new ProcessStartInfo(ToolProcess.Dotnet)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add(ToolProcess.DemoDll);
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        var demo = new DemoProcess(Process.Start(psi)!);
        demo._process.ErrorDataReceived += (_, e) =>
        {
            lock (demo._stderr)
            {
                if (demo._stderr.Length < 64_000)
                {
                    demo._stderr.AppendLine(e.Data);
                }
            }
        };
        demo._process.BeginErrorReadLine();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            string? line = await demo._process.StandardOutput.ReadLineAsync(cts.Token);
            if (line is null)
            {
                throw new InvalidOperationException("demo exited before it was ready: " + demo._stderr);
            }

            if (line.StartsWith("dashboard ", StringComparison.Ordinal))
            {
                demo.DashboardUrl = new Uri(line["dashboard ".Length..]);
            }

            if (line.StartsWith("ready ", StringComparison.Ordinal))
            {
                return demo;
            }
        }
    }

    /// <summary>Sends one stdin command and returns the first stdout line starting with <paramref name="replyPrefix"/>.</summary>
    public async Task<string> AskAsync(string command, string replyPrefix)
    {
        await _process.StandardInput.WriteLineAsync(command);
        await _process.StandardInput.FlushAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            string line = await _process.StandardOutput.ReadLineAsync(cts.Token) ?? throw new InvalidOperationException("demo exited");
            if (line.StartsWith(replyPrefix, StringComparison.Ordinal))
            {
                return line;
            }
        }
    }

    public ValueTask DisposeAsync() => ToolProcess.KillAndDisposeAsync(_process);
}
