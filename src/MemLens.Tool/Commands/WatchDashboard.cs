using MemLens.AspNetCore;
using MemLens.Events;
using MemLens.Formatting;
using MemLens.Metrics;
using MemLens.Procfs;
using MemLens.Sampling;
using MemLens.Tool.Attaching;
using MemLens.Tool.Cli;
using MemLens.Tool.Dashboard;
using MemLens.Tool.Exporting;
using MemLens.Tool.Recording;
using MemLens.Tool.Watching;

namespace MemLens.Tool.Commands;

/// <summary><c>memlens watch &lt;pid&gt;</c> by default: the process watched from outside, its dashboard served by the tool.</summary>
internal static class WatchDashboard
{
    /// <param name="runtimeSources">The runtime's sources when the caller attached already (<c>run</c>); null to attach here.</param>
    /// <param name="outputDrained">Completes when the program's output (a Go child's trace) has been read to its end; waited for once it exits.</param>
    public static async Task<int> RunAsync(int pid, TimeSpan interval, TimeSpan? duration, DashboardSettings settings, CancellationToken ct,
        IReadOnlyList<IMetricSource>? runtimeSources = null, Task? outputDrained = null, RecordSettings? record = null,
        IReadOnlyDictionary<string, string>? facts = null, ExportSettings? export = null)
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

        var allFacts = ProcessFacts.Read(pid);
        foreach (var (key, value) in facts ?? new Dictionary<string, string>())
        {
            allFacts[key] = value;
        }

        monitor.Facts = allFacts;
        ToolRecording? recording = null;
        ToolExporters? exporters = null;
        MemLensServer? server = null;
        try
        {
            var exited = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            monitor.Exited += () => exited.TrySetResult();
            server = await DashboardHosting.TryStartAsync(monitor, settings).ConfigureAwait(false);
            if (server is null)
            {
                return ExitCodes.Error;
            }

            // Once the page is served: a dashboard that cannot start has nothing to record, and says so in one line.
            // The store holds every value since the monitor started, so nothing sampled before this is lost.
            if (!ToolRecording.TryStartFor(pid, monitor.Store, record, out recording, allFacts))
            {
                return ExitCodes.Error;
            }

            if (recording is { } shown)
            {
                monitor.AddSinkStatus(() => shown.Status);
            }

            bool exporting;
            (exporting, exporters) = await ToolExporters.TryStartAsync(monitor.Store, target.ToExported(), export).ConfigureAwait(false);
            if (!exporting)
            {
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
            await DashboardHosting.StopAsync(monitor, server).ConfigureAwait(false);
            recording?.Dispose(); // after the monitor stopped: the last samples and the exit are in it
            if (exporters is not null)
            {
                await exporters.DisposeAsync().ConfigureAwait(false); // after the monitor stopped: the last push has the last samples
            }
        }
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
