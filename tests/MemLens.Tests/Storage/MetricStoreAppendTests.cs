using MemLens.Metrics;
using MemLens.Storage;
using Xunit;

namespace MemLens.Tests.Storage;

public class MetricStoreAppendTests
{
    private static readonly MetricDescriptor s_rss = MetricCatalog.ProcessRss;

    [Fact]
    public void Older_timestamps_are_dropped_and_counted_equal_ones_kept()
    {
        var store = new MetricStore();
        store.Append(s_rss, 1000, 1);
        store.Append(s_rss, 2000, 2);
        store.Append(s_rss, 1500, 3);
        store.Append(s_rss, 2000, 4);
        Assert.Equal(1, store.DroppedOutOfOrder);
        Assert.Equal(1, store.GetSeriesInfo(s_rss)!.DroppedOutOfOrder);
        var data = store.Query(s_rss, 0, 10_000, 100);
        Assert.Equal([1000L, 2000, 2000], data.Timestamps);
        Assert.True(store.TryGetLatest(s_rss, out long t, out double v));
        Assert.Equal((2000L, 4.0), (t, v));
    }

    [Fact]
    public void Non_finite_values_are_rejected_and_counted()
    {
        var store = new MetricStore();
        store.Append(s_rss, 1000, double.NaN);
        store.Append(s_rss, 2000, double.PositiveInfinity);
        store.Append(s_rss, 3000, 7);
        store.Append(s_rss, 4000, double.NegativeInfinity);
        Assert.Equal(3, store.RejectedValues);
        Assert.Equal([7.0], store.Query(s_rss, 0, 10_000, 10).Mean);
        Assert.True(store.TryGetLatest(s_rss, out _, out double v));
        Assert.Equal(7, v);
    }

    [Fact]
    public void Latest_first_and_metrics_reflect_what_was_appended()
    {
        var store = new MetricStore();
        Assert.False(store.TryGetLatest(s_rss, out _, out _));
        Assert.False(store.TryGetFirst(s_rss, out _, out _));
        Assert.Empty(store.Metrics);

        store.Append(MetricCatalog.GcHeapSize, 10, 5);
        store.Append(s_rss, 10, 1);
        store.Append(s_rss, 20, 2);
        Assert.Equal([s_rss, MetricCatalog.GcHeapSize], store.Metrics);
        Assert.True(store.TryGetFirst(s_rss, out long t, out double v));
        Assert.Equal((10L, 1.0), (t, v));
        Assert.True(store.TryGetLatest(s_rss, out t, out v));
        Assert.Equal((20L, 2.0), (t, v));
        Assert.Equal([new LatestValue(s_rss, 20, 2), new LatestValue(MetricCatalog.GcHeapSize, 10, 5)], store.GetLatestValues());
    }

    [Fact]
    public void Appending_allocates_only_when_a_chunk_is_sealed()
    {
        var store = new MetricStore();
        var data = new RealisticData(seed: 9);
        data.Fill(store.Append, 10); // create the series
        long chunksBefore = RealisticData.Metrics.Sum(m => (long)store.GetSeriesInfo(m)!.RawChunks);

        long allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        data.Fill(store.Append, 20_000);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
        long sealedChunks = RealisticData.Metrics.Sum(m => (long)store.GetSeriesInfo(m)!.RawChunks) - chunksBefore;

        // Each sealed chunk costs its exact-size copy and object; list growth is amortised.
        Assert.True(sealedChunks > 0);
        Assert.True(allocated <= sealedChunks * 2400, $"{allocated} bytes for {sealedChunks} chunks");

        // Inside one chunk: nothing at all.
        long t = data.TimestampMs;
        store.Append(MetricCatalog.ProcessThreads, ++t, 1); // new series: allowed to allocate
        allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++)
        {
            store.Append(MetricCatalog.ProcessThreads, t + (i * 1000), 24 + (i % 3));
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - allocatedBefore);
    }

    [Fact]
    public void Options_out_of_range_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new MetricStore(new MetricStoreOptions { MemoryBudgetBytes = 1000 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new MetricStore(new MetricStoreOptions { MaxEvents = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new MetricStore(new MetricStoreOptions { RollupShare = 0.95 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new MetricStore(new MetricStoreOptions { RollupShare = double.NaN }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new MetricStore(new MetricStoreOptions { RawChunkBytes = 100 }));
    }
}
