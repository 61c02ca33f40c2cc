using MemLens.Metrics;
using MemLens.Storage;

namespace MemLens.Doctor;

/// <summary>
/// One series over the judged range as the store returns it: raw points when they fit in
/// <see cref="DoctorRules.MaxPointsPerSeries"/>, otherwise buckets with their min, mean and max. Troughs use the
/// minimum (a bucket's lowest point is still a trough), levels use the mean.
/// </summary>
internal sealed class DoctorSeries
{
    private DoctorSeries(MetricDescriptor metric, long[] times, double[] min, double[] mean, double[] max)
    {
        Metric = metric;
        Times = times;
        Min = min;
        Mean = mean;
        Max = max;
    }

    public MetricDescriptor Metric { get; }

    public long[] Times { get; }

    public double[] Min { get; }

    public double[] Mean { get; }

    public double[] Max { get; }

    public int Count => Times.Length;

    public bool IsEmpty => Times.Length == 0;

    public long FirstTime => Times[0];

    public long LastTime => Times[^1];

    public double LastValue => Mean[^1];

    /// <summary>
    /// Reads a series. With <paramref name="zeroIsUnknown"/>, readings of exactly 0 are left out: the .NET GC reports
    /// 0 for its heap and committed sizes until its first GC, which means "not known yet", not an empty heap.
    /// </summary>
    public static DoctorSeries Read(MetricStore store, MetricDescriptor metric, long fromMs, long toMs, bool zeroIsUnknown = false)
    {
        var data = store.Query(metric, fromMs, toMs, DoctorRules.MaxPointsPerSeries);
        int n = data.Count;
        if (!zeroIsUnknown)
        {
            return new DoctorSeries(metric, data.Timestamps[..n], data.Min[..n], data.Mean[..n], data.Max[..n]);
        }

        var keep = Enumerable.Range(0, n).Where(i => data.Max[i] > 0).ToArray();
        return new DoctorSeries(metric,
            keep.Select(i => data.Timestamps[i]).ToArray(),
            keep.Select(i => data.Min[i] > 0 ? data.Min[i] : data.Mean[i]).ToArray(),
            keep.Select(i => data.Mean[i]).ToArray(),
            keep.Select(i => data.Max[i]).ToArray());
    }

    /// <summary>A series made of other values (differences of two series), for the same maths.</summary>
    public static DoctorSeries Of(MetricDescriptor metric, long[] times, double[] values) =>
        new(metric, times, values, values, values);

    /// <summary>
    /// This series with its first value carried back to <paramref name="fromMs"/> when it starts later: the GC reports
    /// its committed memory only from its first GC on, and had committed about that much before it.
    /// </summary>
    public DoctorSeries FromTime(long fromMs)
    {
        if (IsEmpty || FirstTime <= fromMs)
        {
            return this;
        }

        return new DoctorSeries(Metric, [fromMs, .. Times], [Min[0], .. Min], [Mean[0], .. Mean], [Max[0], .. Max]);
    }

    /// <summary>Mean values of the points with fromMs ≤ t ≤ toMs.</summary>
    public List<double> MeansBetween(long fromMs, long toMs)
    {
        var values = new List<double>();
        for (int i = 0; i < Times.Length; i++)
        {
            if (Times[i] >= fromMs && Times[i] <= toMs)
            {
                values.Add(Mean[i]);
            }
        }

        return values;
    }

    /// <summary>The median of the means with fromMs ≤ t ≤ toMs; NaN when none.</summary>
    public double MedianBetween(long fromMs, long toMs) => TrendMath.Median(MeansBetween(fromMs, toMs));

    /// <summary>The highest value anywhere in the range (bucket maxima), NaN when empty.</summary>
    public double Highest() => Max.Length == 0 ? double.NaN : Max.Max();

    /// <summary>The time of the highest value.</summary>
    public long TimeOfHighest()
    {
        int best = 0;
        for (int i = 1; i < Max.Length; i++)
        {
            if (Max[i] > Max[best])
            {
                best = i;
            }
        }

        return Times[best];
    }

    /// <summary>Share of the points with fromMs ≤ t ≤ toMs for which <paramref name="predicate"/> holds (0 when none).</summary>
    public double ShareWhere(long fromMs, long toMs, Func<int, bool> predicate)
    {
        int all = 0, hits = 0;
        for (int i = 0; i < Times.Length; i++)
        {
            if (Times[i] < fromMs || Times[i] > toMs)
            {
                continue;
            }

            all++;
            if (predicate(i))
            {
                hits++;
            }
        }

        return all == 0 ? 0 : hits / (double)all;
    }

    /// <summary>
    /// The troughs of this series over [fromMs, toMs] in <paramref name="buckets"/> slices (see
    /// <see cref="TrendMath.Troughs"/>), fitted. Null with fewer than 3 troughs.
    /// </summary>
    public Trend? TroughTrend(long fromMs, long toMs, int buckets)
    {
        var (t, v) = TrendMath.Troughs(Times, Min, fromMs, toMs, buckets);
        return TrendMath.Fit(t, v);
    }

    /// <summary>The trend of the bucket means over [fromMs, toMs], thinned to <paramref name="buckets"/> slices by their mean.</summary>
    public Trend? LevelTrend(long fromMs, long toMs, int buckets)
    {
        var (t, v) = Slices(fromMs, toMs, buckets);
        return TrendMath.Fit(t, v);
    }

    /// <summary>The mean of each of <paramref name="buckets"/> equal slices of [fromMs, toMs] that hold points, stamped at the slice's middle.</summary>
    public (long[] Times, double[] Values) Slices(long fromMs, long toMs, int buckets)
    {
        if (toMs < fromMs)
        {
            return ([], []);
        }

        double width = Math.Max(1.0, (toMs - fromMs + 1) / (double)buckets);
        var sums = new double[buckets];
        var counts = new int[buckets];
        for (int i = 0; i < Times.Length; i++)
        {
            if (Times[i] < fromMs || Times[i] > toMs)
            {
                continue;
            }

            int b = Math.Min(buckets - 1, (int)((Times[i] - fromMs) / width));
            sums[b] += Mean[i];
            counts[b]++;
        }

        var ts = new List<long>(buckets);
        var vs = new List<double>(buckets);
        for (int b = 0; b < buckets; b++)
        {
            if (counts[b] > 0)
            {
                ts.Add(fromMs + (long)((b + 0.5) * width));
                vs.Add(sums[b] / counts[b]);
            }
        }

        return (ts.ToArray(), vs.ToArray());
    }

    /// <summary>
    /// A sum of series with signs (RSS − committed, …) on a common grid of <paramref name="buckets"/> slices of
    /// [fromMs, toMs]: the slice means are added up where every term has points. Series sampled at different moments
    /// (RSS by procfs, committed by the runtime's meter) are compared this way.
    /// </summary>
    public static DoctorSeries Combine(MetricDescriptor label, long fromMs, long toMs, int buckets, params (DoctorSeries Series, double Sign)[] terms)
    {
        var sums = new Dictionary<long, (double Sum, int Terms)>();
        foreach (var (series, sign) in terms)
        {
            var (ts, vs) = series.Slices(fromMs, toMs, buckets);
            for (int i = 0; i < ts.Length; i++)
            {
                var current = sums.TryGetValue(ts[i], out var c) ? c : (0.0, 0);
                sums[ts[i]] = (current.Item1 + (sign * vs[i]), current.Item2 + 1);
            }
        }

        var complete = sums.Where(p => p.Value.Terms == terms.Length).OrderBy(p => p.Key).ToArray();
        return Of(label, complete.Select(p => p.Key).ToArray(), complete.Select(p => p.Value.Sum).ToArray());
    }
}
