using MemLens.Metrics;
using MemLens.Storage;
using Xunit;

namespace MemLens.Tests.Storage;

public class MetricStoreRollupTests
{
    private const long HourMs = 3_600_000;

    /// <summary>Three days of two realistic series in 96 KiB: raw, minute and hour tiers all in use.</summary>
    private static (MetricStore Store, Dictionary<MetricDescriptor, NaiveSeries> Reference, long Start) FillSmall(int seconds, long budget = 96 * 1024)
    {
        var store = new MetricStore(new MetricStoreOptions { MemoryBudgetBytes = budget, RawChunkBytes = 512 });
        var data = new RealisticData(seed: 3);
        var metrics = new[] { MetricCatalog.ProcessRss, MetricCatalog.GcAllocated };
        int[] index = metrics.Select(m => Array.IndexOf(RealisticData.Metrics, m)).ToArray();
        var reference = metrics.ToDictionary(m => m, _ => new NaiveSeries());
        long start = 0;
        for (int s = 0; s < seconds; s++)
        {
            long t = data.Next();
            start = s == 0 ? t : start;
            for (int i = 0; i < metrics.Length; i++)
            {
                store.Append(metrics[i], t, data.Values[index[i]]);
                reference[metrics[i]].Add(t, data.Values[index[i]]);
            }

            if (s % 997 == 0)
            {
                Assert.True(store.MemoryBytes <= budget, $"{store.MemoryBytes} > {budget} after {s} s");
            }
        }

        Assert.True(store.MemoryBytes <= budget);
        return (store, reference, start);
    }

    [Fact]
    public void All_tiers_are_used_and_the_budget_holds()
    {
        var (store, _, start) = FillSmall(3 * 86_400);
        var info = store.GetSeriesInfo(MetricCatalog.ProcessRss)!;
        Assert.True(info.RawPoints > 0);
        Assert.True(info.MinuteBuckets > 0);
        Assert.True(info.HourBuckets > 0);
        Assert.True(store.TryGetFirst(MetricCatalog.ProcessRss, out long first, out _));
        Assert.Equal(0, first % HourMs); // the oldest data is an hour bucket
        Assert.True(first <= start, "an hour block holds 128 h: nothing had to be dropped yet");
    }

    [Fact]
    public void After_weeks_the_oldest_hours_go_last_and_the_budget_still_holds()
    {
        const long budget = 64 * 1024;
        var store = new MetricStore(new MetricStoreOptions { MemoryBudgetBytes = budget, RawChunkBytes = 256 });
        const long start = 1_700_000_000_000;
        for (long i = 0; i < 30 * 86_400; i++)
        {
            store.Append(MetricCatalog.ProcessRss, start + (i * 1000), 1e8 + (i % 11 * 4096));
            if (i % 9973 == 0)
            {
                Assert.True(store.MemoryBytes <= budget);
            }
        }

        var info = store.GetSeriesInfo(MetricCatalog.ProcessRss)!;
        Assert.True(store.TryGetFirst(MetricCatalog.ProcessRss, out long first, out _));
        Assert.True(first > start, "the oldest hours were dropped");
        Assert.True(info.HourBuckets > 24, "but days of hourly data are kept");
        Assert.True(info.RawPoints > 0);
        Assert.True(store.MemoryBytes <= budget);
    }

    [Fact]
    public void Hour_aligned_queries_across_all_tiers_are_exact()
    {
        var (store, reference, _) = FillSmall(3 * 86_400);
        foreach (var (metric, naive) in reference)
        {
            Assert.True(store.TryGetFirst(metric, out long first, out _));
            var held = new NaiveSeries();
            foreach (var (t, v) in naive.Points.Where(p => p.T >= first))
            {
                held.Add(t, v);
            }

            long last = naive.Points[^1].T;
            long from = first - (2 * HourMs);
            int hours = (int)((last - from) / HourMs) + 3;
            long to = from + (hours * HourMs) - 1;
            StoreAssert.SameAs(held.Query(from, to, hours, forceBuckets: true), store.Query(metric, from, to, hours), downsampled: true);

            // One bucket over everything held: envelope and weighted mean of every point still held.
            StoreAssert.SameAs(held.Query(from, to, 1, forceBuckets: true), store.Query(metric, from, to, 1), downsampled: true);
        }
    }

    [Fact]
    public void A_spike_rolled_into_hour_buckets_still_shows_in_max()
    {
        var store = new MetricStore(new MetricStoreOptions { MemoryBudgetBytes = 64 * 1024, RawChunkBytes = 512 });
        const long start = 1_700_000_000_000;
        int spikeAt = 20_000;
        for (int i = 0; i < 2 * 86_400; i++)
        {
            store.Append(MetricCatalog.ProcessRss, start + (1000L * i), i == spikeAt ? 5e9 : 1e8 + (i % 7 * 4096));
        }

        Assert.True(store.GetSeriesInfo(MetricCatalog.ProcessRss)!.FullResolutionFromMs > start + (1000L * spikeAt));
        var data = store.Query(MetricCatalog.ProcessRss, start, start + (2 * 86_400_000L), 200);
        Assert.True(data.Downsampled);
        Assert.Equal(5e9, data.Max.Max());
    }

    [Fact]
    public void Rollups_stay_within_their_share()
    {
        const long budget = 128 * 1024;
        var store = new MetricStore(new MetricStoreOptions { MemoryBudgetBytes = budget, RawChunkBytes = 512, RollupShare = 0.25 });
        var data = new RealisticData(seed: 11);
        for (int s = 0; s < 5 * 86_400; s++)
        {
            long t = data.Next();
            for (int i = 0; i < 4; i++)
            {
                store.Append(RealisticData.Metrics[i], t, data.Values[i]);
            }
        }

        var infos = RealisticData.Metrics.Take(4).Select(m => store.GetSeriesInfo(m)!).ToList();
        long rollupBytes = infos.Sum(i => (i.MinuteBuckets + i.HourBuckets) * 36);
        Assert.True(rollupBytes <= budget * 0.25, $"{rollupBytes} bytes of rollup buckets");
        Assert.True(infos.All(i => i.RawPoints > 1000), "the raw tier keeps most of the budget");
        Assert.True(store.MemoryBytes <= budget);
    }
}
