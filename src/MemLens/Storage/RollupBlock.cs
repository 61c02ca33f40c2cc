namespace MemLens.Storage;

/// <summary>
/// A fixed-size array of consecutive rollup buckets of one tier, with a summary (time range, min, max,
/// sum, count) so queries can take the whole block without walking it. The store drops and folds whole
/// blocks, which frees memory in real steps (a ring with a fixed capacity would never shrink).
/// Only the newest block of a tier changes; readers get a copy of it.
/// </summary>
internal sealed class RollupBlock
{
    private readonly RollupBucket[] _buckets;

    public RollupBlock(int capacity) => _buckets = new RollupBucket[capacity];

    private RollupBlock(RollupBlock source)
    {
        _buckets = (RollupBucket[])source._buckets.Clone();
        Count = source.Count;
        Min = source.Min;
        Max = source.Max;
        Sum = source.Sum;
        PointCount = source.PointCount;
    }

    /// <summary>Managed bytes of a block of <paramref name="capacity"/> buckets.</summary>
    public static long BytesFor(int capacity) =>
        MemoryCost.Object(8 + 4 + 4 + (3 * 8) + 8) + MemoryCost.Array(capacity, RollupBucket.Size);

    /// <summary>Buckets in use.</summary>
    public int Count { get; private set; }

    public bool IsFull => Count == _buckets.Length;

    public long FirstStart => _buckets[0].StartMs;

    public long LastStart => _buckets[Count - 1].StartMs;

    public double Min { get; private set; }

    public double Max { get; private set; }

    public double Sum { get; private set; }

    /// <summary>Raw points summarised by the whole block.</summary>
    public long PointCount { get; private set; }

    public long MemoryBytes => BytesFor(_buckets.Length);

    public ref readonly RollupBucket this[int index] => ref _buckets[index];

    /// <summary>
    /// Adds a summary to the bucket starting at <paramref name="startMs"/>: merged into the newest bucket when
    /// it has the same start, else appended. Returns false when a new bucket is needed and the block is full.
    /// Starts must not decrease.
    /// </summary>
    public bool TryAdd(long startMs, double min, double max, double sum, int count)
    {
        if (Count > 0 && _buckets[Count - 1].StartMs == startMs)
        {
            _buckets[Count - 1].Merge(min, max, sum, count);
        }
        else if (Count < _buckets.Length)
        {
            _buckets[Count++] = new RollupBucket { StartMs = startMs, Min = min, Max = max, Sum = sum, Count = count };
        }
        else
        {
            return false;
        }

        if (PointCount == 0)
        {
            Min = min;
            Max = max;
        }
        else
        {
            Min = Math.Min(Min, min);
            Max = Math.Max(Max, max);
        }

        Sum += sum;
        PointCount += count;
        return true;
    }

    /// <summary>A copy for a reader (the newest block keeps changing under the writer).</summary>
    public RollupBlock Clone() => new(this);
}
