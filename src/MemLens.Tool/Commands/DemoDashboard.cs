using MemLens.Formatting;
using MemLens.Sampling;
using MemLens.Tool.Cli;
using MemLens.Tool.Dashboard;
using MemLens.Tool.Watching;

namespace MemLens.Tool.Commands;

/// <summary>
/// <c>memlens demo</c> by default: the workload serves its own dashboard (<c>--listen</c>), the way an application
/// maps <c>MapMemLens</c>; memlens prints its URL, opens a browser and stays until Ctrl+C, --duration or the
/// workload's exit. Stopping the workload is the caller's (it owns the <see cref="DemoChild"/>).
/// </summary>
internal static class DemoDashboard
{
    public static async Task<int> RunAsync(DemoChild child, string scenario, TimeSpan? duration, DashboardSettings settings, CancellationToken ct)
    {
        if (child.DashboardUrl is not { } url)
        {
            await Console.Error.WriteLineAsync("memlens: the demo workload did not say where its dashboard is (no 'dashboard <URL>' line before 'ready').").ConfigureAwait(false);
            return ExitCodes.Error;
        }

        DashboardAnnouncement.Print($"PID {child.ProcessId}, the demo workload '{scenario}' (its own dashboard: GC figures from inside, release action on)",
            settings.WithToken(url), settings, metrics: new Uri(url, "/metrics")); // the workload maps MapMemLensMetrics too

        long started = MonotonicClock.NowUnixMs;
        var status = new StatusLine();
        var reason = await DashboardLifetime.WaitAsync(child.Exited, duration, () => status.Show(child.LatestProgress ?? $"demo '{scenario}' starting…"), ct)
            .ConfigureAwait(false);
        status.Clear();

        return await WatchEnding.ReportAsync(started, reason, watched =>
        {
            string last = child.LatestProgress is { } line ? $" Its last line: {line}" : "";
            return $"process {child.ProcessId} (the demo workload) exited with code {child.ExitCode}; watched for {watched}.{last}";
        }).ConfigureAwait(false);
    }
}
