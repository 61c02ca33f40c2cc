using System.Diagnostics;

namespace MemLens.Tool.Commands;

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
