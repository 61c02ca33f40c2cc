namespace MemLens.Storage;

/// <summary>
/// One coarse resolution of a series (e.g. 1-minute buckets), oldest block first. Buckets are aligned to
/// multiples of <see cref="BucketMs"/> so that data rolled from different chunks lands in the same slot
/// and a query whose bucket width is a multiple of it gets exact answers. Not thread-safe: the series
/// lock guards it.
/// </summary>
internal sealed class RollupTier
{
    private readonly List<RollupBlock> _blocks = [];
    private readonly int _blockCapacity;

    public RollupTier(long bucketMs, int blockCapacity)
    {
        BucketMs = bucketMs;
        _blockCapacity = blockCapacity;
    }

    public long BucketMs { get; }

    public int BlockCount => _blocks.Count;

    public IReadOnlyList<RollupBlock> Blocks => _blocks;

    /// <summary>Managed bytes: the block list and every block.</summary>
    public long MemoryBytes => MemoryCost.ReferenceList(_blocks.Capacity) + (_blocks.Count * RollupBlock.BytesFor(_blockCapacity));

    public long BucketCount
    {
        get
        {
            long n = 0;
            foreach (var b in _blocks)
            {
                n += b.Count;
            }

            return n;
        }
    }

    /// <summary>Adds one raw point.</summary>
    public void Add(long timestampMs, double value) => Add(timestampMs, value, value, value, 1);

    /// <summary>Adds a summary of points (a finer bucket) that starts at <paramref name="timestampMs"/>.</summary>
    public void Add(long timestampMs, double min, double max, double sum, int count)
    {
        long start = AlignDown(timestampMs, BucketMs);
        if (_blocks.Count == 0 || !_blocks[^1].TryAdd(start, min, max, sum, count))
        {
            var block = new RollupBlock(_blockCapacity);
            block.TryAdd(start, min, max, sum, count);
            _blocks.Add(block);
        }
    }

    public RollupBlock RemoveOldest()
    {
        var oldest = _blocks[0];
        _blocks.RemoveAt(0);
        return oldest;
    }

    /// <summary>Floor to a multiple of <paramref name="step"/>, correct for negative times too.</summary>
    public static long AlignDown(long t, long step)
    {
        long r = t % step;
        return r < 0 ? t - r - step : t - r;
    }
}
