using MemLens.Metrics;

namespace MemLens.Storage;

/// <summary>What the store holds for one series, at each resolution (for diagnostics, tests and benchmarks).</summary>
public sealed record SeriesInfo
{
    public required MetricDescriptor Metric { get; init; }

    /// <summary>Points kept at full resolution.</summary>
    public long RawPoints { get; init; }

    /// <summary>Compressed chunks, the open one included.</summary>
    public int RawChunks { get; init; }

    /// <summary>Timestamp of the oldest full-resolution point, or null when none is left.</summary>
    public long? FullResolutionFromMs { get; init; }

    /// <summary>1-minute min/max/mean buckets kept (older than the raw points).</summary>
    public long MinuteBuckets { get; init; }

    /// <summary>1-hour min/max/mean buckets kept (older than the minute buckets).</summary>
    public long HourBuckets { get; init; }

    /// <summary>Bytes of the full-resolution tier: compressed chunks and the open chunk's buffer.</summary>
    public long RawBytes { get; init; }

    /// <summary>Bytes of the 1-minute and 1-hour tiers.</summary>
    public long RollupBytes { get; init; }

    /// <summary>Bytes this series holds, as counted against the budget.</summary>
    public long MemoryBytes { get; init; }

    /// <summary>Values dropped because their timestamp was older than the series' newest.</summary>
    public long DroppedOutOfOrder { get; init; }

    /// <summary>NaN or infinite values rejected.</summary>
    public long RejectedNonFinite { get; init; }
}
