using System.Net.Sockets;
using MemLens.AspNetCore;
using MemLens.Events;
using MemLens.Formatting;
using MemLens.Metrics;
using MemLens.Procfs;
using MemLens.Sampling;
using MemLens.Tool.Attaching;
using MemLens.Tool.Cli;
using MemLens.Tool.Dashboard;
using MemLens.Tool.Watching;
using Microsoft.AspNetCore.Connections;

namespace MemLens.Tool.Commands;

/// <summary><c>memlens watch &lt;pid&gt;</c> by default: the process watched from outside, its dashboard served by the tool.</summary>
internal static class WatchDashboard
{
    // Long enough for Kestrel to finish the requests in flight; the live streams end before, with the monitor.
    private static readonly TimeSpan s_stopTimeout = TimeSpan.FromSeconds(2);

    /// <param name="runtimeSources">The runtime's sources when the caller attached already (<c>run</c>); null to attach here.</param>
    /// <param name="outputDrained">Completes when the program's output (a Go child's trace) has been read to its end; waited for once it exits.</param>
    public static async Task<int> RunAsync(int pid, TimeSpan interval, TimeSpan? duration, DashboardSettings settings, CancellationToken ct,
        IReadOnlyList<IMetricSource>? runtimeSources = null, Task? outputDrained = null)
    {
        var notes = new List<string>();
        var info = ProcessTable.Read(pid, new ProcessTableOptions { ReadPss = false, DetectRuntime = true });
        var target = new MemLensTarget(pid, info is null ? "?" : ProcessLookup.ProgramName(info),
            ProcessLookup.RuntimeName(info?.Runtime ?? ProcessRuntime.Other), InProcess: false);

        MemLensMonitor monitor;
        try
        {
            // A .NET process is read over EventPipe too, and can be asked for a full GC and heap snapshots over its diagnostic port.
            bool dotnet = target.Runtime == "dotnet";
            monitor = MemLensMonitor.ForProcess(target, new MemLensOptions { SampleInterval = interval },
                runtimeSources ?? RuntimeAttach.SourcesFor(pid, interval, notes),
                targetActions: dotnet ? new MemLens.Diagnostics.DotNetTargetActions(pid) : null);
        }
        catch (ProcessNotFoundException ex)
        {
            await Console.Error.WriteLineAsync($"memlens: {ex.Message}").ConfigureAwait(false);
            return ExitCodes.ProcessNotFound;
        }
        catch (ProcessAccessDeniedException ex)
        {
            await Console.Error.WriteLineAsync($"memlens: {ex.Message}").ConfigureAwait(false);
            return ExitCodes.AccessDenied;
        }

        MemLensServer? server = null;
        try
        {
            var exited = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            monitor.Exited += () => exited.TrySetResult();
            try
            {
                server = MemLensServer.Start(monitor, new MemLensServerOptions
                {
                    Address = settings.Address,
                    Port = settings.Port,
                    AccessToken = settings.Token,
                });
            }
            catch (Exception ex) when (ex is IOException or SocketException)
            {
                // Kestrel wraps a busy port in an IOException but lets other bind errors (an address this machine
                // does not have) through as they are.
                await Console.Error.WriteLineAsync("memlens: " + BindFailure(settings, ex)).ConfigureAwait(false);
                return ExitCodes.Error;
            }

            if (monitor.TargetExited)
            {
                exited.TrySetResult(); // exited before the handler was wired to the started sampler
            }

            foreach (var note in monitor.Store.GetEvents(0, long.MaxValue).OfType<NoteEvent>().Where(e => e.Type == "source.unavailable"))
            {
                await Console.Error.WriteLineAsync($"memlens: {note.Message}").ConfigureAwait(false);
            }

            foreach (var note in notes)
            {
                await Console.Error.WriteLineAsync($"memlens: {note}").ConfigureAwait(false);
            }

            string runtime = target.Runtime switch { "dotnet" => ".NET", "go" => "Go", _ => "native" };
            DashboardAnnouncement.Print($"PID {pid} {target.Name} ({runtime})", server.BrowserUrl, settings);

            long started = MonotonicClock.NowUnixMs;
            var status = new StatusLine();
            var reason = await DashboardLifetime.WaitAsync(exited.Task, duration, () => status.Show(StatusText(monitor, started)), ct).ConfigureAwait(false);
            status.Clear();
            if (reason == WatchSession.EndReason.TargetExited && outputDrained is not null)
            {
                // The last lines the program printed before it exited, into the store the page shows.
                await Task.WhenAny(outputDrained, Task.Delay(TimeSpan.FromSeconds(2), CancellationToken.None)).ConfigureAwait(false);
                monitor.SampleNow();
            }

            return await WatchEnding.ReportAsync(pid, started, reason).ConfigureAwait(false);
        }
        finally
        {
            // The monitor first: disposing it ends the live streams, which Kestrel would otherwise wait for.
            monitor.Dispose();
            if (server is not null)
            {
                try
                {
                    await server.DisposeAsync().AsTask().WaitAsync(s_stopTimeout, CancellationToken.None).ConfigureAwait(false);
                }
                catch (TimeoutException)
                {
                    // A request still running; the process is about to end anyway.
                }
            }
        }
    }

    /// <summary>One line for a dashboard that could not listen: a busy port says which and what to do.</summary>
    internal static string BindFailure(DashboardSettings settings, Exception ex)
    {
        bool inUse = ex is SocketException { SocketErrorCode: SocketError.AddressAlreadyInUse }
                     || ex.InnerException is AddressInUseException
                     || ex.InnerException is SocketException { SocketErrorCode: SocketError.AddressAlreadyInUse };
        if (inUse)
        {
            return $"port {settings.Port} on {settings.Address} is already in use; choose another with --port, or --port 0 for a free one.";
        }

        string why = ex.InnerException?.Message ?? ex.Message;
        return $"cannot serve the dashboard on {settings.Endpoint}: {why.Split('\n')[0].Trim()}";
    }

    // RSS and PSS now, and for how long: enough to see that it runs and where it is heading.
    private static string StatusText(MemLensMonitor monitor, long startedMs)
    {
        string Value(MetricDescriptor metric) =>
            monitor.Store.TryGetLatest(metric, out _, out double v) ? ByteSize.Format(v) : "…";

        string elapsed = Durations.Format(TimeSpan.FromMilliseconds(MonotonicClock.NowUnixMs - startedMs));
        return $"RSS {Value(MetricCatalog.ProcessRss)} · PSS {Value(MetricCatalog.ProcessPss)} · swap {Value(MetricCatalog.ProcessSwap)} · {elapsed}";
    }
}
