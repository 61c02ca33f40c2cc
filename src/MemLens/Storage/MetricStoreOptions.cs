namespace MemLens.Storage;

/// <summary>Options of <see cref="MetricStore"/>.</summary>
public sealed class MetricStoreOptions
{
    /// <summary>Smallest accepted <see cref="MemoryBudgetBytes"/>.</summary>
    public const long MinimumBudgetBytes = 16 * 1024;

    /// <summary>Buckets per rollup block: the step in which rollup memory grows and shrinks.</summary>
    internal const int RollupBlockBuckets = 128;

    /// <summary>
    /// Upper bound of the memory the series data may use. Default: 8 MiB, which holds 24 h of 1 Hz history
    /// for ~30 realistic memory series at full resolution. Each series also needs one open chunk
    /// (<see cref="RawChunkBytes"/>) that is never evicted, so a budget below about
    /// series × (RawChunkBytes + 1 KiB) cannot be met. Minimum: 16 KiB.
    /// </summary>
    public long MemoryBudgetBytes { get; set; } = 8L * 1024 * 1024;

    /// <summary>Most events kept; the oldest are dropped first. Default: 20,000.</summary>
    public int MaxEvents { get; set; } = 20_000;

    /// <summary>
    /// Share of <see cref="MemoryBudgetBytes"/> that 1-minute and 1-hour rollups may use before the oldest
    /// of them are coarsened or dropped; the rest keeps full resolution. Rollups only exist once raw data had
    /// to be evicted. Default: 0.25. Range: 0–0.9.
    /// </summary>
    public double RollupShare { get; set; } = 0.25;

    /// <summary>
    /// Size of one compressed raw chunk: the unit in which full-resolution data is sealed and rolled up.
    /// Smaller chunks let queries skip decoding more often but cost more headers. Default: 2048. Range: 256 B–1 MiB.
    /// </summary>
    public int RawChunkBytes { get; set; } = 2048;
}
