using MemLens.Storage;
using MemLens.Tests.Shared;

namespace MemLens.DashboardFixture;

/// <summary>
/// A store holding 24 h of 1 Hz samples of every series the dashboard draws, shaped like a .NET service with a
/// slow leak (noisy, so compression and payload are not flattered), and a GC every 10 s.
/// </summary>
internal static class DayOfHistory
{
    public const int Seconds = 86_400;

    public static MetricStore Create(long endMs)
    {
        var store = new MetricStore();
        ServiceHistory.Fill(store, endMs - ((Seconds - 1) * 1000L), Seconds, leakBytesPerSecond: 1200, dailyCycle: false, extraSeries: false); // ~100 MB over the day
        return store;
    }
}
