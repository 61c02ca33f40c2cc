using MemLens.Metrics;

namespace MemLens.Storage;

/// <summary>
/// Everything the store keeps for one series, newest to oldest: the open chunk being written, sealed
/// compressed chunks (full resolution), 1-minute rollups, 1-hour rollups. Time ranges never overlap
/// between tiers: data only moves from raw to minutes to hours, oldest first. Every member is called
/// with <see cref="Gate"/> held; sealed chunks and all but the newest rollup block are immutable, so a
/// reader copies references under the lock and does the work outside it.
/// </summary>
internal sealed class SeriesBuffer
{
    public const long MinuteMs = 60_000;
    public const long HourMs = 3_600_000;

    private readonly List<CompressedChunk> _chunks = [];
    private readonly ChunkEncoder _open;
    private readonly RollupTier _minutes;
    private readonly RollupTier _hours;
    private long _chunkBytes;
    private long _chunkPoints;

    public SeriesBuffer(MetricDescriptor metric, int chunkBytes, int rollupBlockCapacity)
    {
        Metric = metric;
        _open = new ChunkEncoder(chunkBytes);
        _minutes = new RollupTier(MinuteMs, rollupBlockCapacity);
        _hours = new RollupTier(HourMs, rollupBlockCapacity);
    }

    /// <summary>Guards every member. One per series, so readers of one series do not slow the others.</summary>
    public object Gate { get; } = new();

    public MetricDescriptor Metric { get; }

    public bool HasValue { get; private set; }

    public long LatestTimestamp { get; private set; }

    public double LatestValue { get; private set; }

    public long DroppedOutOfOrder { get; private set; }

    public long RejectedNonFinite { get; private set; }

    /// <summary>
    /// Raw tier bytes: sealed chunks, their list, and the open chunk's reusable buffer (always allocated,
    /// so always counted).
    /// </summary>
    public long RawBytes =>
        _chunkBytes + MemoryCost.ReferenceList(_chunks.Capacity) +
        MemoryCost.Object((12 * 8) + 8) + MemoryCost.Array(_open.BufferBytes / 8, 8);

    public long MinuteBytes => _minutes.MemoryBytes;

    public long HourBytes => _hours.MemoryBytes;

    /// <summary>This object, its lock object and the two tier objects.</summary>
    public static long FixedBytes => MemoryCost.Object((8 * 8) + (4 * 8)) + MemoryCost.Object(0) + (2 * MemoryCost.Object(8 + 8 + 4));

    public long MemoryBytes => FixedBytes + RawBytes + MinuteBytes + HourBytes;

    /// <summary>
    /// Appends a value. Non-finite values are rejected and counted (charts, JSON and rollup means cannot
    /// carry them); a timestamp older than the newest is dropped and counted. Returns the bytes the raw tier
    /// grew by, which is non-zero only when a full chunk was sealed.
    /// </summary>
    public long Append(long timestampMs, double value)
    {
        if (!double.IsFinite(value))
        {
            RejectedNonFinite++;
            return 0;
        }

        if (HasValue && timestampMs < LatestTimestamp)
        {
            DroppedOutOfOrder++;
            return 0;
        }

        long grown = 0;
        if (!_open.TryAppend(timestampMs, value))
        {
            grown = SealOpenChunk();
            _open.TryAppend(timestampMs, value);
        }

        HasValue = true;
        LatestTimestamp = timestampMs;
        LatestValue = value;
        return grown;
    }

    private long SealOpenChunk()
    {
        long before = RawBytes;
        var chunk = _open.ToChunk();
        _chunks.Add(chunk);
        _chunkBytes += chunk.MemoryBytes;
        _chunkPoints += chunk.Count;
        _open.Reset();
        return RawBytes - before;
    }

    // ---- eviction steps, chosen by the store across all series ----

    public long OldestChunkStart => _chunks.Count > 0 ? _chunks[0].FirstTimestamp : long.MaxValue;

    public long OldestMinuteBlockStart => _minutes.BlockCount > 0 ? _minutes.Blocks[0].FirstStart : long.MaxValue;

    public long OldestHourBlockStart => _hours.BlockCount > 0 ? _hours.Blocks[0].FirstStart : long.MaxValue;

    /// <summary>Moves the oldest sealed chunk into 1-minute buckets.</summary>
    public void RollOldestChunk()
    {
        var chunk = _chunks[0];
        _chunks.RemoveAt(0);
        _chunkBytes -= chunk.MemoryBytes;
        _chunkPoints -= chunk.Count;

        // Accumulate a minute locally and add it once: fewer calls, same result.
        var it = chunk.GetIterator();
        long slot = long.MinValue;
        double min = 0, max = 0, sum = 0;
        int count = 0;
        while (it.MoveNext())
        {
            long s = RollupTier.AlignDown(it.Timestamp, MinuteMs);
            if (s != slot && count > 0)
            {
                _minutes.Add(slot, min, max, sum, count);
                count = 0;
            }

            double v = it.Value;
            if (count == 0)
            {
                slot = s;
                min = max = sum = v;
            }
            else
            {
                min = Math.Min(min, v);
                max = Math.Max(max, v);
                sum += v;
            }

            count++;
        }

        if (count > 0)
        {
            _minutes.Add(slot, min, max, sum, count);
        }
    }

    /// <summary>Merges the oldest block of 1-minute buckets into 1-hour buckets.</summary>
    public void FoldOldestMinuteBlock()
    {
        var block = _minutes.RemoveOldest();
        for (int i = 0; i < block.Count; i++)
        {
            ref readonly var b = ref block[i];
            _hours.Add(b.StartMs, b.Min, b.Max, b.Sum, b.Count);
        }
    }

    public void DropOldestHourBlock() => _hours.RemoveOldest();

    public void DropOldestMinuteBlock() => _minutes.RemoveOldest();

    // ---- reading ----

    public bool TryGetFirst(out long timestampMs, out double value)
    {
        foreach (var tier in (ReadOnlySpan<RollupTier>)[_hours, _minutes])
        {
            if (tier.BlockCount > 0)
            {
                ref readonly var b = ref tier.Blocks[0][0];
                timestampMs = b.StartMs;
                value = b.Mean;
                return true;
            }
        }

        if (_chunks.Count > 0)
        {
            timestampMs = _chunks[0].FirstTimestamp;
            value = _chunks[0].FirstValue;
            return true;
        }

        if (_open.Count > 0)
        {
            timestampMs = _open.FirstTimestamp;
            value = _open.FirstValue;
            return true;
        }

        timestampMs = 0;
        value = 0;
        return false;
    }

    /// <summary>Copies references to what overlaps [from, to]; the mutable parts (open chunk, newest blocks) are copied.</summary>
    public SeriesSnapshot Snapshot(long fromMs, long toMs)
    {
        var snapshot = new SeriesSnapshot();
        foreach (var tier in (ReadOnlySpan<RollupTier>)[_hours, _minutes])
        {
            var blocks = tier.Blocks;
            for (int i = 0; i < blocks.Count; i++)
            {
                var b = blocks[i];
                if (b.LastStart >= fromMs && b.FirstStart <= toMs)
                {
                    snapshot.Blocks.Add(i == blocks.Count - 1 ? b.Clone() : b);
                }
            }
        }

        foreach (var c in _chunks)
        {
            if (c.LastTimestamp >= fromMs && c.FirstTimestamp <= toMs)
            {
                snapshot.Chunks.Add(c);
            }
        }

        if (_open.Count > 0 && _open.LastTimestamp >= fromMs && _open.FirstTimestamp <= toMs)
        {
            snapshot.Chunks.Add(_open.ToChunk());
        }

        return snapshot;
    }

    public SeriesInfo GetInfo() => new()
    {
        Metric = Metric,
        RawPoints = _chunkPoints + _open.Count,
        RawChunks = _chunks.Count + (_open.Count > 0 ? 1 : 0),
        FullResolutionFromMs = _chunks.Count > 0 ? _chunks[0].FirstTimestamp : _open.Count > 0 ? _open.FirstTimestamp : null,
        MinuteBuckets = _minutes.BucketCount,
        HourBuckets = _hours.BucketCount,
        RawBytes = RawBytes,
        RollupBytes = MinuteBytes + HourBytes,
        MemoryBytes = MemoryBytes,
        DroppedOutOfOrder = DroppedOutOfOrder,
        RejectedNonFinite = RejectedNonFinite,
    };
}

/// <summary>What a query of one series works on, taken under the series lock and read outside it.</summary>
internal sealed class SeriesSnapshot
{
    /// <summary>Rollup blocks of both tiers that overlap the range.</summary>
    public List<RollupBlock> Blocks { get; } = [];

    /// <summary>Raw chunks that overlap the range, oldest first (the open chunk last, as a copy).</summary>
    public List<CompressedChunk> Chunks { get; } = [];
}
