using FsCheck;
using FsCheck.Fluent;
using MemLens.Metrics;
using MemLens.Storage;
using Xunit;

namespace MemLens.Tests.Storage;

public class MetricStoreQueryTests
{
    private static readonly MetricDescriptor s_metric = MetricCatalog.ProcessRss;

    private static (MetricStore Store, NaiveSeries Reference) Build(int seed, int count, int gapKind, int chunkBytes)
    {
        var rng = new Random(seed);
        var store = new MetricStore(new MetricStoreOptions { MemoryBudgetBytes = 64L << 20, RawChunkBytes = chunkBytes });
        var reference = new NaiveSeries();
        long t = 1_700_000_000_000 + rng.Next(-5000, 5000);
        double v = 200 << 20;
        for (int i = 0; i < count; i++)
        {
            t += gapKind switch
            {
                0 => 1000,
                1 => 1000 + rng.Next(-3, 4),
                2 => rng.Next(0, 3) == 0 ? rng.Next(0, 600_000) : 1000,
                _ => rng.Next(0, 5000),
            };
            v = rng.Next(0, 100) switch
            {
                < 40 => v,
                < 95 => Math.Max(0, v + (rng.Next(-16, 17) * 4096)),
                < 98 => v * 3, // a spike
                _ => rng.NextDouble() * 1e9,
            };
            store.Append(s_metric, t, v);
            reference.Add(t, v);
        }

        return (store, reference);
    }

    [Fact]
    public void Queries_match_a_naive_reference()
    {
        var cases = from seed in Gen.Choose(0, int.MaxValue)
                    from count in Gen.Choose(0, 4000)
                    from gapKind in Gen.Choose(0, 3)
                    from chunkBytes in Gen.Elements(256, 512, 2048)
                    from maxPoints in Gen.OneOf(Gen.Choose(1, 50), Gen.Choose(50, 5000))
                    from fromPermille in Gen.Choose(-100, 1100)
                    from lengthPermille in Gen.Choose(-10, 1200)
                    from onPoints in Gen.Elements(false, true)
                    select (seed, count, gapKind, chunkBytes, maxPoints, fromPermille, lengthPermille, onPoints);

        Prop.ForAll(cases.ToArbitrary(), c =>
        {
            var (store, reference) = Build(c.seed, c.count, c.gapKind, c.chunkBytes);
            long first = reference.Points.Count > 0 ? reference.Points[0].T : 0;
            long last = reference.Points.Count > 0 ? reference.Points[^1].T : 0;
            long span = Math.Max(1, last - first);
            long from = first + (span * c.fromPermille / 1000);
            long to = from + (span * c.lengthPermille / 1000);
            if (c.onPoints && reference.Points.Count > 0)
            {
                // Bounds exactly on stored timestamps: catches off-by-one range checks.
                int n = reference.Points.Count;
                from = reference.Points[Math.Clamp(c.fromPermille * n / 1000, 0, n - 1)].T;
                to = reference.Points[Math.Clamp((c.fromPermille + c.lengthPermille) * n / 1000, 0, n - 1)].T;
            }

            var expected = reference.Query(from, to, c.maxPoints);
            var actual = store.Query(s_metric, from, to, c.maxPoints);
            bool downsampled = reference.Points.Count(p => p.T >= from && p.T <= to) > c.maxPoints;
            StoreAssert.SameAs(to < from ? [] : expected, actual, downsampled && to >= from);
            return true;
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(200));
    }

    [Fact]
    public void Raw_points_come_back_as_they_are_when_they_fit()
    {
        var store = new MetricStore();
        for (int i = 0; i < 300; i++)
        {
            store.Append(s_metric, 1000L * i, i * 4096.0);
        }

        var data = store.Query(s_metric, 0, 299_000, 300);
        Assert.False(data.Downsampled);
        Assert.Equal(300, data.Count);
        Assert.Equal(299 * 4096.0, data.Max[299]);
        Assert.Equal(data.Min, data.Mean);
        Assert.NotSame(data.Min, data.Mean);
    }

    [Fact]
    public void A_single_point_spike_survives_downsampling()
    {
        var store = new MetricStore();
        const long start = 1_700_000_000_000;
        for (int i = 0; i < 86_400; i++)
        {
            store.Append(s_metric, start + (1000L * i), i == 51_234 ? 9e9 : 300e6);
        }

        var data = store.Query(s_metric, start, start + 86_399_999, 1000);
        Assert.True(data.Downsampled);
        Assert.Equal(1000, data.Count);
        Assert.Equal(9e9, data.Max.Max());
        Assert.Equal(1, data.Max.Count(m => m == 9e9));
        Assert.Equal(300e6, data.Min.Max());
    }

    [Fact]
    public void Empty_and_inverted_ranges_and_unknown_series_return_nothing()
    {
        var store = new MetricStore();
        Assert.Equal(0, store.Query(s_metric, 0, 1000, 10).Count);
        store.Append(s_metric, 5000, 1);
        Assert.Equal(0, store.Query(s_metric, 6000, 5000, 10).Count);
        Assert.Equal(0, store.Query(s_metric, 0, 4999, 10).Count);
        Assert.Equal(0, store.Query(MetricCatalog.ProcessPss, 0, 10_000, 10).Count);
        Assert.Equal(1, store.Query(s_metric, long.MinValue, long.MaxValue, 1).Count);
        Assert.Throws<ArgumentOutOfRangeException>(() => store.Query(s_metric, 0, 1, 0));
    }

    [Fact]
    public void The_whole_long_range_in_buckets_stays_correct()
    {
        var store = new MetricStore();
        store.Append(s_metric, -5, 1);
        store.Append(s_metric, 0, 2);
        store.Append(s_metric, long.MaxValue, 3);
        var data = store.Query(s_metric, long.MinValue, long.MaxValue, 2);
        Assert.True(data.Downsampled);
        Assert.Equal(2, data.Count);
        // Two buckets of 2^63 ms: [MinValue, 0) and [0, MaxValue].
        Assert.Equal([long.MinValue, 0L], data.Timestamps);
        Assert.Equal([1.0, 2.0], data.Min);
        Assert.Equal([1.0, 3.0], data.Max);
    }
}
