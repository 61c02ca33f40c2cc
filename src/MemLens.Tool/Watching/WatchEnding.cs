using MemLens.Formatting;
using MemLens.Sampling;
using MemLens.Tool.Cli;

namespace MemLens.Tool.Watching;

/// <summary>How a watch ended, said in one line, and its exit code: shared by the terminal view and the dashboard.</summary>
internal static class WatchEnding
{
    /// <summary>The usual line when process <paramref name="pid"/> exits.</summary>
    public static Task<int> ReportAsync(int pid, long startedUnixMs, WatchSession.EndReason reason) =>
        ReportAsync(startedUnixMs, reason, watched => $"process {pid} exited; watched for {watched}.");

    /// <summary>Says how the watch ended; <paramref name="exitedLine"/> words the target's exit, given how long it was watched.</summary>
    public static async Task<int> ReportAsync(long startedUnixMs, WatchSession.EndReason reason, Func<string, string> exitedLine)
    {
        var watched = Durations.Format(TimeSpan.FromMilliseconds(MonotonicClock.NowUnixMs - startedUnixMs));
        switch (reason)
        {
            case WatchSession.EndReason.TargetExited:
                await Console.Error.WriteLineAsync("memlens: " + exitedLine(watched)).ConfigureAwait(false);
                return ExitCodes.TargetExited;
            case WatchSession.EndReason.Cancelled:
                await Console.Error.WriteLineAsync($"memlens: stopped after {watched}.").ConfigureAwait(false);
                return ExitCodes.Ok;
            default:
                return ExitCodes.Ok;
        }
    }
}
