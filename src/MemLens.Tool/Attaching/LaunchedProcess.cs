using System.ComponentModel;
using System.Diagnostics;
using MemLens.Actions;
using MemLens.Diagnostics.Attach;
using MemLens.Go;
using MemLens.Procfs;
using MemLens.Sampling;
using Microsoft.Diagnostics.NETCore.Client;

namespace MemLens.Tool.Attaching;

/// <summary>
/// A command started by <c>memlens run</c>, watched from its first instruction: a .NET child starts suspended
/// (<c>DOTNET_DefaultDiagnosticPortSuspend=1</c>), memlens opens its EventPipe session and then resumes it, so even
/// the first GCs are seen. A child that is not a .NET host (<see cref="Executables.IsDotnetHost"/>: a shell, a
/// native program) is neither suspended nor waited for: it runs at once and is watched through /proc from its start.
/// </summary>
/// <remarks>
/// A Go executable (recognised by the build information in the binary) is started with <c>gctrace=1,scavtrace=1</c>
/// added to its <c>GODEBUG</c> (<see cref="GoDebug.Merge(string?)"/>) and its standard error read line by line: trace
/// lines go to a <see cref="GoTraceSource"/> (and to the terminal only when asked), every other line passes through
/// to memlens's standard error as it was. Its standard output is not touched.
/// <para>
/// The suspend setting is inherited by the child's own children. .NET grandchildren (the SDK's build servers under
/// <c>dotnet run</c>, a service launching workers) would wait for ever, so every descendant that publishes a
/// diagnostic port is resumed as it appears; only the direct child is watched.
/// </para>
/// </remarks>
internal sealed class LaunchedProcess : IAsyncDisposable
{
    private const string SuspendVariable = "DOTNET_DefaultDiagnosticPortSuspend";
    private static readonly TimeSpan s_portWait = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan s_descendantScan = TimeSpan.FromMilliseconds(200);

    private readonly Process _process;
    private readonly CancellationTokenSource _stop = new();
    private readonly HashSet<int> _resumed = [];
    private Task _descendants = Task.CompletedTask;

    private LaunchedProcess(Process process, string displayName, GoTraceSource? goTrace, string? goVersion)
    {
        _process = process;
        DisplayName = displayName;
        GoTrace = goTrace;
        GoVersion = goVersion;
        Exited = process.WaitForExitAsync(CancellationToken.None);
    }

    private readonly TaskCompletionSource _errorDrained = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when a Go child's standard error has been read to its end (every trace line offered); null for other programs.</summary>
    public Task? TraceDrained => GoTrace is null ? null : _errorDrained.Task;

    /// <summary>The trace source of a Go child (its GC and scavenger lines); null for any other program.</summary>
    public GoTraceSource? GoTrace { get; }

    /// <summary>The Go version the child was built with, when it is a Go executable that says (Go 1.18+).</summary>
    public string? GoVersion { get; }

    public int ProcessId => _process.Id;

    /// <summary>The command line as the user typed it, shortened for titles.</summary>
    public string DisplayName { get; }

    public Task Exited { get; }

    public int ExitCode => _process.ExitCode;

    /// <summary>The child's runtime session when it is .NET and memlens attached before resuming it; else null.</summary>
    public RuntimeEventSession? Session { get; private set; }

    /// <summary>Why the runtime's view is missing, when it is; null when attached.</summary>
    public string? Note { get; private set; }

    /// <summary>
    /// Starts the command with stdio inherited (or stdout and stderr redirected to <see cref="LaunchOptions.Output"/>)
    /// and attaches to it: over EventPipe when it is .NET, through its GC trace when it is a Go executable.
    /// </summary>
    public static async Task<LaunchedProcess> StartAsync(IReadOnlyList<string> command, LaunchOptions options, CancellationToken ct)
    {
        var output = options.Output;
        string? executable = Executables.Resolve(command[0]);
        string? goVersion = null;
        bool go = executable is not null && GoBuildInfo.TryRead(executable, out goVersion);
        // Only a .NET host is started suspended and waited for: anything else (a shell, a native program) runs at once
        // and is watched through /proc from its start; waiting for a port it never opens lost a short program entirely.
        bool dotnet = !go && executable is not null && Executables.IsDotnetHost(executable);
        var psi = new ProcessStartInfo(command[0])
        {
            UseShellExecute = false,
            RedirectStandardOutput = output is not null,
            RedirectStandardError = output is not null || go,
        };
        foreach (string arg in command.Skip(1))
        {
            psi.ArgumentList.Add(arg);
        }

        if (dotnet)
        {
            psi.Environment[SuspendVariable] = "1";
        }

        GoTraceSource? goTrace = null;
        IReadOnlyList<string> overridden = [];
        if (go)
        {
            psi.Environment[GoDebug.Variable] = GoDebug.Merge(Environment.GetEnvironmentVariable(GoDebug.Variable), out overridden);
            goTrace = new GoTraceSource(options.Interval);
        }

        Process process;
        try
        {
            process = Process.Start(psi) ?? throw new LaunchException($"could not start {command[0]}.");
        }
        catch (Win32Exception ex)
        {
            throw new LaunchException($"could not start {command[0]}: {ex.Message}.");
        }

        var launched = new LaunchedProcess(process, string.Join(' ', command), goTrace, goVersion);
        if (output is not null)
        {
            process.OutputDataReceived += (_, e) => { if (e.Data is not null) { output(e.Data); } };
            process.BeginOutputReadLine();
        }

        if (goTrace is not null)
        {
            // Trace lines feed the source; the program's own lines pass through as they were.
            Action<string> passThrough = output ?? (line => Console.Error.WriteLine(line));
            bool showTrace = options.ShowTrace;
            process.ErrorDataReceived += (_, e) =>
            {
                if (e.Data is not { } line)
                {
                    launched._errorDrained.TrySetResult(); // end of the stream
                }
                else if (goTrace.Offer(line, MonotonicClock.NowUnixMs) == GoTraceLineKind.Other || showTrace)
                {
                    passThrough(line);
                }
            };
            process.BeginErrorReadLine();
            launched.Note = overridden.Count == 0
                ? null
                : $"GODEBUG's {string.Join(", ", overridden)} was replaced by the trace setting memlens needs to read the program's GCs.";
        }
        else if (output is not null)
        {
            process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { output(e.Data); } };
            process.BeginErrorReadLine();
        }

        if (dotnet)
        {
            await launched.AttachAsync(options.Session, ct).ConfigureAwait(false);
            launched._descendants = Task.Run(() => launched.ResumeDescendantsAsync(launched._stop.Token), CancellationToken.None);
        }
        else if (!go)
        {
            launched.Note = $"{Path.GetFileName(command[0])} is not a .NET process (nor a Go executable): operating-system figures only.";
        }

        return launched;
    }

    // Waits for the child's diagnostic port; when it appears, opens the session while the runtime waits, then resumes it.
    private async Task AttachAsync(RuntimeSessionOptions options, CancellationToken ct)
    {
        var waited = Stopwatch.StartNew();
        while (waited.Elapsed < s_portWait && !_process.HasExited)
        {
            if (DiagnosticPort.FindSocket(ProcessId) is not null)
            {
                try
                {
                    Session = RuntimeEventSession.Open(ProcessId, options);
                }
                catch (TargetActionException ex)
                {
                    Note = "the runtime's view is missing: " + ex.Message;
                }

                Resume(ProcessId);
                _resumed.Add(ProcessId);
                return;
            }

            await Task.Delay(10, ct).ConfigureAwait(false);
        }

        Note = _process.HasExited
            ? null
            : $"{Path.GetFileName(_process.StartInfo.FileName)} opened no .NET diagnostic port within {s_portWait.TotalSeconds:0} s " +
              "(DOTNET_EnableDiagnostics=0?), so operating-system figures only.";
    }

    // A suspended .NET descendant waits for a resume command that only memlens can send.
    private async Task ResumeDescendantsAsync(CancellationToken ct)
    {
        try
        {
            while (!ct.IsCancellationRequested && !_process.HasExited)
            {
                foreach (int pid in PublishedPorts())
                {
                    // The child itself too, should its port appear after the wait: it must never stay suspended.
                    if (!_resumed.Contains(pid) && (pid == ProcessId || IsDescendant(pid)))
                    {
                        _resumed.Add(pid);
                        Resume(pid);
                    }
                }

                await Task.Delay(s_descendantScan, ct).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
        }
#pragma warning disable CA1031 // Resuming descendants is a courtesy; it must never end the watch.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }

    // Process ids of the diagnostic sockets in the temp directory. DiagnosticsClient.GetPublishedProcesses would do,
    // but it throws on a stale socket of a process that is gone.
    private static IEnumerable<int> PublishedPorts()
    {
        string[] sockets;
        try
        {
            sockets = Directory.GetFiles(DiagnosticPort.TempDirectory, DiagnosticSocketName.Pattern);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            yield break;
        }

        foreach (string path in sockets)
        {
            if (DiagnosticSocketName.TryParse(Path.GetFileName(path.AsSpan()), out int pid, out _))
            {
                yield return pid;
            }
        }
    }

    private static void Resume(int pid)
    {
        try
        {
            new DiagnosticsClient(pid).ResumeRuntime();
        }
#pragma warning disable CA1031 // A process that was not suspended, or is gone, needs nothing.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }

    private bool IsDescendant(int pid)
    {
        for (int depth = 0; depth < 64 && pid > 1; depth++)
        {
            int parent = ParentOf(pid);
            if (parent == ProcessId)
            {
                return true;
            }

            pid = parent;
        }

        return false;
    }

    private static int ParentOf(int pid) =>
        MemLens.Procfs.ProcStatParser.TryReadStateAndParent(pid, out _, out int parent) ? parent : -1;

    /// <summary>The runtime's source: over the EventPipe session opened at launch, or the Go trace; none for other programs.</summary>
    public IReadOnlyList<IMetricSource> RuntimeSources(TimeSpan interval) =>
        GoTrace is not null ? [GoTrace] : Session is null ? [] : [new EventPipeRuntimeSource(Session, interval)];

    /// <summary>Ends the child if it still runs: it is given <paramref name="grace"/> to exit by itself (it got the terminal's Ctrl+C too), then killed.</summary>
    public async Task StopAsync(TimeSpan grace)
    {
        if (_process.HasExited)
        {
            return;
        }

        try
        {
            await Exited.WaitAsync(grace).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            try
            {
                _process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                // exited meanwhile
            }

            await Exited.ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {

        await _stop.CancelAsync().ConfigureAwait(false);
        await _descendants.ConfigureAwait(false);
        _stop.Dispose();
        _process.Dispose();
    }
}

/// <summary>How <c>memlens run</c> starts and reads its child.</summary>
/// <param name="Session">The EventPipe session's settings, for a .NET child.</param>
/// <param name="Interval">The sampling interval (the Go trace source's pace).</param>
/// <param name="Output">Where the child's stdout and stderr lines go instead of the terminal (the terminal view); null to pass them through.</param>
/// <param name="ShowTrace">Pass a Go child's trace lines through too, instead of hiding them.</param>
internal sealed record LaunchOptions(RuntimeSessionOptions Session, TimeSpan Interval, Action<string>? Output = null, bool ShowTrace = false);

/// <summary>The command given to <c>memlens run</c> could not be started.</summary>
internal sealed class LaunchException(string message) : Exception(message);
