using MemLens.Storage;
using MemLens.Tests.Shared;

namespace MemLens.AspNetCore.Tests;

/// <summary>
/// A week of 1 Hz samples of 30 series, shaped like a .NET service with a slow leak and noise (so neither compression
/// nor the report's numbers are flattered), and a GC every 10 s: what a week-long recording loaded into a store
/// holds. Timestamps are made up (fast-forwarded), not waited for. The store is large enough to keep it all at full
/// resolution, as a recording's would be.
/// </summary>
internal static class WeekOfHistory
{
    public const int Seconds = 7 * 86_400;

    public static MetricStore Create(long startMs)
    {
        var store = new MetricStore(new MetricStoreOptions { MemoryBudgetBytes = 64L << 20, MaxEvents = 100_000 });
        ServiceHistory.Fill(store, startMs, Seconds, leakBytesPerSecond: 200, dailyCycle: true, extraSeries: true); // ~120 MB over the week
        return store;
    }
}
