using MemLens.Metrics;

namespace MemLens.Storage;

/// <summary>Min, max, sum and count per output bucket of a downsampled query.</summary>
internal sealed class BucketAccumulator
{
    private readonly double[] _min;
    private readonly double[] _max;
    private readonly double[] _sum;
    private readonly long[] _count;

    public BucketAccumulator(int buckets)
    {
        _min = new double[buckets];
        _max = new double[buckets];
        _sum = new double[buckets];
        _count = new long[buckets];
    }

    public void Add(int index, double min, double max, double sum, long count)
    {
        if (_count[index] == 0)
        {
            _min[index] = min;
            _max[index] = max;
        }
        else
        {
            _min[index] = Math.Min(_min[index], min);
            _max[index] = Math.Max(_max[index], max);
        }

        _sum[index] += sum;
        _count[index] += count;
    }

    /// <summary>Non-empty buckets in time order; each stamped with its bucket's start.</summary>
    public SeriesData ToSeriesData(MetricDescriptor metric, BucketGrid grid)
    {
        int n = 0;
        foreach (long c in _count)
        {
            if (c > 0)
            {
                n++;
            }
        }

        var ts = new long[n];
        var min = new double[n];
        var max = new double[n];
        var mean = new double[n];
        int j = 0;
        for (int i = 0; i < _count.Length; i++)
        {
            if (_count[i] == 0)
            {
                continue;
            }

            ts[j] = grid.StartOf(i);
            min[j] = _min[i];
            max[j] = _max[i];
            // Rounding can put a sum/count a hair outside [min, max] (e.g. many equal values); clamp it.
            mean[j] = Math.Clamp(_sum[i] / _count[i], _min[i], _max[i]);
            j++;
        }

        return new SeriesData { Metric = metric, Timestamps = ts, Min = min, Max = max, Mean = mean, Count = n, Downsampled = true };
    }
}
