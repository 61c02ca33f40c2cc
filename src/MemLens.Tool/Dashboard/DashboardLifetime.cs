using MemLens.Tool.Watching;

namespace MemLens.Tool.Dashboard;

/// <summary>How long a served dashboard lives: until Ctrl+C, <c>--duration</c>, or the watched process exits.</summary>
internal static class DashboardLifetime
{
    /// <summary>
    /// Waits for the first of the three and says which; calls <paramref name="everySecond"/> meanwhile (the status
    /// line). Ctrl+C wins over an exit seen at the same moment: in a terminal it reaches the demo child too.
    /// </summary>
    public static async Task<WatchSession.EndReason> WaitAsync(Task targetExited, TimeSpan? duration, Action? everySecond, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(targetExited);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (duration is { } d)
        {
            linked.CancelAfter(d);
        }

        var stopped = Task.Delay(Timeout.Infinite, linked.Token);
        while (true)
        {
            everySecond?.Invoke();
            await Task.WhenAny(targetExited, stopped, Task.Delay(TimeSpan.FromSeconds(1), linked.Token)).ConfigureAwait(false);
            if (cancellationToken.IsCancellationRequested)
            {
                return WatchSession.EndReason.Cancelled;
            }

            if (targetExited.IsCompleted)
            {
                return WatchSession.EndReason.TargetExited;
            }

            if (linked.IsCancellationRequested)
            {
                return WatchSession.EndReason.Duration;
            }
        }
    }
}
