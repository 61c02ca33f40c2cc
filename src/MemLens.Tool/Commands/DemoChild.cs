using System.Diagnostics;

namespace MemLens.Tool.Commands;

/// <summary>
/// The demo workload running as a child: started, its output kept in a bounded ring, its dashboard URL read
/// from its <c>dashboard &lt;URL&gt;</c> line, stopped cleanly.
/// </summary>
internal sealed class DemoChild : IAsyncDisposable
{
    private const int OutputLines = 6;
    private static readonly TimeSpan s_readyTimeout = TimeSpan.FromSeconds(30);
    private readonly Process _process;
    private readonly Queue<string> _recent = new();
    private readonly TextWriter? _forward;
    private readonly Task _exited;
    private string? _firstError;
    private string? _lastStderr;

    private DemoChild(Process process, TextWriter? forward)
    {
        _process = process;
        _forward = forward;
        // Waits for the output to be read to its end too, so every line is kept once this completes.
        _exited = process.WaitForExitAsync(CancellationToken.None);
        // If memlens ends without disposing this (killed mid-stop), the child must not run on: end of stdin does
        // not stop the workload.
        AppDomain.CurrentDomain.ProcessExit += KillOnExit;
    }

    public int ProcessId => _process.Id;

    /// <summary>The in-process dashboard's address from the workload's <c>dashboard</c> line; null without <c>--listen</c>.</summary>
    public Uri? DashboardUrl { get; private set; }

    /// <summary>Completes when the workload has exited.</summary>
    public Task Exited => _exited;

    /// <summary>The exit code once the workload has exited, else null.</summary>
    public int? ExitCode => _process.HasExited ? _process.ExitCode : null;

    /// <summary>The workload's latest line on stderr (its progress line every 5 s), or null.</summary>
    public string? LatestProgress => Volatile.Read(ref _lastStderr);

    /// <summary>The last lines the workload printed (bounded).</summary>
    public IReadOnlyList<string> RecentOutput()
    {
        lock (_recent)
        {
            return _recent.ToArray();
        }
    }

    public static async Task<DemoChild> StartAsync(IEnumerable<string> args, IReadOnlyDictionary<string, string> environment, TextWriter? forwardOutputTo, CancellationToken ct)
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
        foreach (var (name, value) in environment)
        {
            psi.Environment[name] = value;
        }

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

            // The workload prints "dashboard <URL>" before "ready", so the URL is known once ready is.
            if (e.Data.StartsWith("dashboard ", StringComparison.Ordinal) && Uri.TryCreate(e.Data["dashboard ".Length..].Trim(), UriKind.Absolute, out var url))
            {
                child.DashboardUrl = url;
            }
            else if (e.Data.StartsWith("ready ", StringComparison.Ordinal))
            {
                ready.TrySetResult();
            }

            child.Keep(e.Data);
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                child.KeepError(e.Data);
                child.Keep(e.Data);
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        try
        {
            var first = await Task.WhenAny(ready.Task, child._exited).WaitAsync(s_readyTimeout, ct).ConfigureAwait(false);
            if (first != ready.Task)
            {
                throw new DemoStartException($"the demo workload exited with code {process.ExitCode} before it was ready: {child.ErrorSummary()}");
            }
        }
        catch (TimeoutException)
        {
            await child.DisposeAsync().ConfigureAwait(false);
            throw new DemoStartException("the demo workload did not report ready within 30 s: " + string.Join(" | ", child.RecentOutput()));
        }
        catch
        {
            await child.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return child;
    }

    /// <summary>What the workload said went wrong: its first error line (not a stack frame), else its last lines.</summary>
    public string ErrorSummary() => _firstError ?? string.Join(" | ", RecentOutput());

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

    private void KeepError(string line)
    {
        if (line.Length == 0)
        {
            return;
        }

        Volatile.Write(ref _lastStderr, line);
        // An unhandled exception's first line says what happened; the stack frames after it ("   at …") do not.
        if (_firstError is null && !char.IsWhiteSpace(line[0]))
        {
            _firstError = line;
        }
    }

    private static string DotnetHost() =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";

    private void KillOnExit(object? sender, EventArgs e)
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }
        }
        catch (Exception ex) when (ex is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            // Already gone.
        }
    }

    /// <summary>Asks the workload to exit (its stdin protocol), then kills it if it has not after 5 s.</summary>
    public async ValueTask DisposeAsync()
    {
        AppDomain.CurrentDomain.ProcessExit -= KillOnExit;
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
