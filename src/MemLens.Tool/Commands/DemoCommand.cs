using System.CommandLine;
using System.Diagnostics;
using MemLens.Tool.Cli;

namespace MemLens.Tool.Commands;

/// <summary><c>memlens demo</c>: starts the bundled workload as a child process and watches it.</summary>
internal static class DemoCommand
{
    private static readonly string[] s_scenarios = ["steady", "leak", "spike", "native-leak", "fragmentation", "idle"];

    public static Command Create()
    {
        var scenario = new Option<string>("--scenario", "-s")
        {
            Description = "What the workload does: steady, leak (managed objects kept forever), spike (allocate, drop, idle), " +
                          "native-leak (unmanaged memory never freed), fragmentation (LOH and pinned holes), idle. Default: steady.",
            DefaultValueFactory = _ => "steady",
        };
        scenario.AcceptOnlyFromAmong(s_scenarios);
        var rate = new Option<int?>("--rate") { Description = "Growth rate in MiB/s for leak and native-leak (passed to the workload)." };
        var maxMb = new Option<int?>("--max-mb") { Description = "Cap in MiB on what the workload holds (passed to the workload)." };
        var common = new CommonOptions();
        var command = new Command("demo", "Run the bundled demo workload as a child process and watch it live.") { scenario, rate, maxMb };
        common.AddTo(command);

        command.SetAction(async (parse, ct) =>
        {
            if (!OperatingSystem.IsLinux())
            {
                await Console.Error.WriteLineAsync("memlens: the demo watches its child through /proc and works on Linux only.").ConfigureAwait(false);
                return ExitCodes.UnsupportedOs;
            }

            var demoArgs = new List<string> { "--scenario", parse.GetValue(scenario)! };
            if (parse.GetValue(rate) is { } r)
            {
                demoArgs.AddRange(["--rate", r.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            }

            if (parse.GetValue(maxMb) is { } m)
            {
                demoArgs.AddRange(["--max-mb", m.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            }

            bool jsonLines = parse.GetValue(common.JsonLines);
            DemoChild child;
            try
            {
                child = await DemoChild.StartAsync(demoArgs, forwardOutputTo: jsonLines ? Console.Error : null, ct).ConfigureAwait(false);
            }
            catch (DemoStartException ex)
            {
                await Console.Error.WriteLineAsync($"memlens: {ex.Message}").ConfigureAwait(false);
                return ExitCodes.Error;
            }

            await using (child.ConfigureAwait(false))
            {
                if (!jsonLines)
                {
                    await Console.Error.WriteLineAsync($"memlens: demo workload '{parse.GetValue(scenario)}' started as PID {child.ProcessId}.").ConfigureAwait(false);
                }

                int code = await WatchCommand.RunAsync(child.ProcessId, $"MemLens.Demo --scenario {parse.GetValue(scenario)}",
                    parse.GetValue(common.Interval) ?? TimeSpan.FromSeconds(1), parse.GetValue(common.Duration), jsonLines,
                    extraSources: [], childOutput: child.RecentOutput, ct).ConfigureAwait(false);
                return code;
            }
        });
        return command;
    }
}

/// <summary>The demo workload running as a child: started, its output kept in a bounded ring, stopped cleanly.</summary>
internal sealed class DemoChild : IAsyncDisposable
{
    private const int OutputLines = 6;
    private readonly Process _process;
    private readonly Queue<string> _recent = new();
    private readonly TextWriter? _forward;

    private DemoChild(Process process, TextWriter? forward)
    {
        _process = process;
        _forward = forward;
    }

    public int ProcessId => _process.Id;

    /// <summary>The last lines the workload printed (bounded).</summary>
    public IReadOnlyList<string> RecentOutput()
    {
        lock (_recent)
        {
            return _recent.ToArray();
        }
    }

    public static async Task<DemoChild> StartAsync(IEnumerable<string> args, TextWriter? forwardOutputTo, CancellationToken ct)
    {
        string dll = Path.Combine(AppContext.BaseDirectory, "MemLens.Demo.dll");
        if (!File.Exists(dll))
        {
            throw new DemoStartException($"the demo workload is missing: {dll} (build the solution, or run from the repository).");
        }

        var psi = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add(dll);
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        var process = Process.Start(psi) ?? throw new DemoStartException("could not start the demo workload.");
        var child = new DemoChild(process, forwardOutputTo);
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }

            if (e.Data.StartsWith("ready ", StringComparison.Ordinal))
            {
                ready.TrySetResult();
            }

            child.Keep(e.Data);
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                child.Keep(e.Data);
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        try
        {
            await ready.Task.WaitAsync(TimeSpan.FromSeconds(30), ct).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            await child.DisposeAsync().ConfigureAwait(false);
            throw new DemoStartException("the demo workload did not report ready within 30 s: " + string.Join(" | ", child.RecentOutput()));
        }

        return child;
    }

    private void Keep(string line)
    {
        _forward?.WriteLine(line);
        lock (_recent)
        {
            _recent.Enqueue(line);
            while (_recent.Count > OutputLines)
            {
                _recent.Dequeue();
            }
        }
    }

    private static string DotnetHost() =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";

    /// <summary>Asks the workload to exit (its stdin protocol), then kills it if it has not after 5 s.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                await _process.StandardInput.WriteLineAsync("exit").ConfigureAwait(false);
                await _process.StandardInput.FlushAsync().ConfigureAwait(false);
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await _process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or InvalidOperationException)
        {
            _process.Kill(entireProcessTree: true);
        }
        finally
        {
            _process.Dispose();
        }
    }
}

/// <summary>The demo workload could not be started.</summary>
internal sealed class DemoStartException(string message) : Exception(message);
