using MemLens.Storage;
using Xunit;
using Xunit.Abstractions;

namespace MemLens.Tests.Storage;

/// <summary>GC.GetTotalMemory would see other tests' allocations, so these run alone.</summary>
[CollectionDefinition(nameof(MemoryMeasurement), DisableParallelization = true)]
public sealed class MemoryMeasurement;

[Collection(nameof(MemoryMeasurement))]
public class MetricStoreMemoryTests(ITestOutputHelper output)
{
    private const int Day = 86_400;
    private const long Budget = 8L * 1024 * 1024;

    /// <summary>Fills a store and returns it with the managed memory it added, measured by the GC.</summary>
    private static (MetricStore Store, long Measured) FillAndMeasure(Action<MetricStore> fill, MetricStoreOptions? options = null)
    {
        long before = SettledHeapBytes();
        var store = new MetricStore(options);
        fill(store);
        long after = SettledHeapBytes();
        GC.KeepAlive(store);
        return (store, after - before);
    }

    // The whole process's managed heap once it stops moving: a background thread left by an earlier test (a sampler
    // winding down, its store becoming garbage) freed megabytes during one measurement in a full run and made the
    // store look 44 % of its size. Two readings 100 ms apart within 32 KiB of each other, at most ten tries.
    private static long SettledHeapBytes()
    {
        long last = GC.GetTotalMemory(forceFullCollection: true);
        for (int i = 0; i < 10; i++)
        {
            Thread.Sleep(100);
            long now = GC.GetTotalMemory(forceFullCollection: true);
            if (Math.Abs(now - last) <= 32 * 1024)
            {
                return now;
            }

            last = now;
        }

        return last;
    }

    private void AssertMeasuredInLine(MetricStore store, long measured)
    {
        output.WriteLine($"MemoryBytes {store.MemoryBytes:N0}, measured {measured:N0} ({(double)measured / store.MemoryBytes:P1})");
        Assert.True(store.MemoryBytes <= store.Options.MemoryBudgetBytes, $"MemoryBytes {store.MemoryBytes} over budget");
        // The accounting is honest when the GC's own figure is close to it (±10 % and 64 KiB of noise).
        Assert.InRange(measured, (store.MemoryBytes * 0.9) - 65_536, (store.MemoryBytes * 1.1) + 65_536);
    }

    [Fact]
    public void A_day_of_30_realistic_series_fits_the_default_budget_at_full_resolution()
    {
        var data = new RealisticData(seed: 42);
        long first = 0;
        var (store, measured) = FillAndMeasure(s =>
        {
            data.Fill(s.Append, 1);
            first = data.TimestampMs;
            data.Fill(s.Append, Day - 1);
        });

        AssertMeasuredInLine(store, measured);
        foreach (var metric in RealisticData.Metrics)
        {
            var info = store.GetSeriesInfo(metric)!;
            Assert.Equal(first, info.FullResolutionFromMs);
            Assert.Equal(Day, info.RawPoints);
            Assert.Equal(0, info.MinuteBuckets);
        }

        output.WriteLine($"{(double)store.MemoryBytes / (Day * 30):F2} bytes per point");
    }

    [Fact]
    public void Three_days_keep_the_budget_and_over_a_day_at_full_resolution()
    {
        var data = new RealisticData(seed: 43);
        var (store, measured) = FillAndMeasure(s => data.Fill(s.Append, 3 * Day));
        AssertMeasuredInLine(store, measured);
        var rss = store.GetSeriesInfo(RealisticData.Metrics[0])!;
        double rawHours = (data.TimestampMs - rss.FullResolutionFromMs!.Value) / 3_600_000.0;
        output.WriteLine($"full resolution {rawHours:F1} h, {rss.MinuteBuckets} minute and {rss.HourBuckets} hour buckets");
        Assert.InRange(rawHours, 24, 48);
        Assert.True(store.TryGetFirst(RealisticData.Metrics[0], out long oldest, out _));
        Assert.True(data.TimestampMs - oldest >= 2.9 * Day * 1000, "rollups keep the days before");
    }

    [Fact]
    public void Random_doubles_still_keep_the_budget()
    {
        var rng = new Random(5);
        var (store, measured) = FillAndMeasure(s =>
        {
            long t = 1_700_000_000_000;
            for (int i = 0; i < Day; i++)
            {
                t += 1000 + rng.Next(-3, 4);
                foreach (var metric in RealisticData.Metrics)
                {
                    s.Append(metric, t, rng.NextDouble() * 1e9);
                }
            }
        });

        AssertMeasuredInLine(store, measured);
        var info = store.GetSeriesInfo(RealisticData.Metrics[0])!;
        output.WriteLine($"random doubles: {info.RawPoints} raw points per series");
        Assert.True(info.RawPoints < Day, "random doubles cannot all fit at full resolution");
        Assert.True(info.MinuteBuckets + info.HourBuckets > 0, "older data was rolled up, not lost");
    }
}
