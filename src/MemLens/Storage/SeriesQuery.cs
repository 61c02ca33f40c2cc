using System.Buffers;
using MemLens.Metrics;

namespace MemLens.Storage;

/// <summary>
/// Answers a range query from a <see cref="SeriesSnapshot"/>, outside any lock. Raw points are returned
/// as they are when they fit in <c>maxPoints</c> and no rollup bucket is in range; otherwise
/// [from, to] is cut into equal-width buckets and each carries the min, max and weighted mean of every raw
/// point and rollup bucket whose timestamp (a rollup bucket's aligned start) falls in it.
/// </summary>
internal static class SeriesQuery
{
    public static SeriesData Run(MetricDescriptor metric, SeriesSnapshot snapshot, long fromMs, long toMs, int maxPoints)
    {
        bool hasRollups = false;
        foreach (var block in snapshot.Blocks)
        {
            if (AnyBucketInRange(block, fromMs, toMs))
            {
                hasRollups = true;
                break;
            }
        }

        if (!hasRollups)
        {
            long rawCount = CountRaw(snapshot.Chunks, fromMs, toMs, maxPoints);
            if (rawCount <= maxPoints)
            {
                return RawPoints(metric, snapshot.Chunks, fromMs, toMs, (int)rawCount);
            }
        }

        return Downsample(metric, snapshot, fromMs, toMs, maxPoints);
    }

    public static SeriesData Empty(MetricDescriptor metric) =>
        new() { Metric = metric, Timestamps = [], Min = [], Max = [], Mean = [], Count = 0 };

    /// <summary>
    /// Decodes a chunk into the buckets. Points come in time order, so the bucket index only moves forward:
    /// the loop compares against the current bucket's end instead of dividing per point, and keeps the
    /// running bucket in locals. Bulk decoding into pooled buffers keeps the decoder's state in registers.
    /// </summary>
    private static void AddDecoded(CompressedChunk chunk, BucketGrid grid, BucketAccumulator acc, long fromMs, long toMs)
    {
        long[] times = ArrayPool<long>.Shared.Rent(chunk.Count);
        double[] values = ArrayPool<double>.Shared.Rent(chunk.Count);
        try
        {
            chunk.DecodeAll(times, values);
            int index = -1;
            ulong end = 0; // offset from 'from' where the current bucket ends (exclusive)
            double min = 0, max = 0, sum = 0;
            long count = 0;
            for (int i = 0; i < chunk.Count; i++)
            {
                long t = times[i];
                if (t > toMs)
                {
                    break;
                }

                if (t < fromMs)
                {
                    continue;
                }

                ulong offset = grid.OffsetOf(t);
                if (index < 0 || offset >= end)
                {
                    if (count > 0)
                    {
                        acc.Add(index, min, max, sum, count);
                        count = 0;
                    }

                    index = grid.IndexOf(t);
                    end = grid.EndOffsetOf(index);
                }

                double v = values[i];
                if (count == 0)
                {
                    min = max = sum = v;
                }
                else
                {
                    if (v < min)
                    {
                        min = v;
                    }

                    if (v > max)
                    {
                        max = v;
                    }

                    sum += v;
                }

                count++;
            }

            if (count > 0)
            {
                acc.Add(index, min, max, sum, count);
            }
        }
        finally
        {
            ArrayPool<long>.Shared.Return(times);
            ArrayPool<double>.Shared.Return(values);
        }
    }

    private static bool AnyBucketInRange(RollupBlock block, long fromMs, long toMs)
    {
        if (block.Count == 0)
        {
            return false;
        }

        if (block.FirstStart >= fromMs && block.LastStart <= toMs)
        {
            return true;
        }

        for (int i = 0; i < block.Count; i++)
        {
            long s = block[i].StartMs;
            if (s >= fromMs && s <= toMs)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Raw points in range; stops counting exactly once it is known to exceed <paramref name="limit"/>.</summary>
    private static long CountRaw(List<CompressedChunk> chunks, long fromMs, long toMs, int limit)
    {
        long n = 0;
        foreach (var c in chunks)
        {
            if (c.FirstTimestamp >= fromMs && c.LastTimestamp <= toMs)
            {
                n += c.Count;
            }
            else
            {
                var it = c.GetIterator();
                while (it.MoveNext())
                {
                    if (it.Timestamp > toMs)
                    {
                        break;
                    }

                    if (it.Timestamp >= fromMs)
                    {
                        n++;
                    }
                }
            }

            if (n > limit)
            {
                return n;
            }
        }

        return n;
    }

    private static SeriesData RawPoints(MetricDescriptor metric, List<CompressedChunk> chunks, long fromMs, long toMs, int count)
    {
        var ts = new long[count];
        var values = new double[count];
        int i = 0;
        foreach (var c in chunks)
        {
            var it = c.GetIterator();
            while (it.MoveNext() && i < count)
            {
                if (it.Timestamp > toMs)
                {
                    break;
                }

                if (it.Timestamp >= fromMs)
                {
                    ts[i] = it.Timestamp;
                    values[i] = it.Value;
                    i++;
                }
            }
        }

        // Separate arrays: callers may treat them as their own.
        return new SeriesData
        {
            Metric = metric,
            Timestamps = ts,
            Min = values,
            Max = (double[])values.Clone(),
            Mean = (double[])values.Clone(),
            Count = i,
            Downsampled = false,
        };
    }

    private static SeriesData Downsample(MetricDescriptor metric, SeriesSnapshot snapshot, long fromMs, long toMs, int maxPoints)
    {
        var grid = new BucketGrid(fromMs, toMs, maxPoints);
        var acc = new BucketAccumulator(grid.BucketCount);

        foreach (var block in snapshot.Blocks)
        {
            if (block.Count == 0)
            {
                continue;
            }

            if (block.FirstStart >= fromMs && block.LastStart <= toMs && grid.IndexOf(block.FirstStart) == grid.IndexOf(block.LastStart))
            {
                acc.Add(grid.IndexOf(block.FirstStart), block.Min, block.Max, block.Sum, block.PointCount);
                continue;
            }

            for (int i = 0; i < block.Count; i++)
            {
                ref readonly var b = ref block[i];
                if (b.StartMs >= fromMs && b.StartMs <= toMs)
                {
                    acc.Add(grid.IndexOf(b.StartMs), b.Min, b.Max, b.Sum, b.Count);
                }
            }
        }

        foreach (var c in snapshot.Chunks)
        {
            // The whole chunk lands in one bucket: use its cached summary, no decoding.
            if (c.FirstTimestamp >= fromMs && c.LastTimestamp <= toMs && grid.IndexOf(c.FirstTimestamp) == grid.IndexOf(c.LastTimestamp))
            {
                acc.Add(grid.IndexOf(c.FirstTimestamp), c.Min, c.Max, c.Sum, c.Count);
                continue;
            }

            AddDecoded(c, grid, acc, fromMs, toMs);
        }

        return acc.ToSeriesData(metric, grid);
    }
}
