using System.Diagnostics;

namespace MemLens.Sampling;

/// <summary>
/// Wall-clock-anchored monotonic time. The Unix time is read once; after that, time advances with
/// <see cref="Stopwatch"/>, so samples never go backwards when NTP or a user sets the clock.
/// </summary>
public static class MonotonicClock
{
    private static readonly long s_anchorUnixMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
    private static readonly long s_anchorTicks = Stopwatch.GetTimestamp();

    /// <summary>Milliseconds since the Unix epoch, monotonic within this process.</summary>
    public static long NowUnixMs => s_anchorUnixMs + (long)((Stopwatch.GetTimestamp() - s_anchorTicks) * 1000.0 / Stopwatch.Frequency);

    /// <summary>Converts a Unix-millisecond timestamp to a UTC <see cref="DateTimeOffset"/>.</summary>
    public static DateTimeOffset ToDateTime(long unixMs) => DateTimeOffset.FromUnixTimeMilliseconds(unixMs);
}
