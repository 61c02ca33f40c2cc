namespace MemLens.Diagnostics.Snapshots;

/// <summary>Limits of one heap snapshot. Every property says its default.</summary>
public sealed class HeapSnapshotOptions
{
    /// <summary>The largest <see cref="MaxObjects"/> accepted.</summary>
    public const long MaxObjectsLimit = 2_000_000_000;

    /// <summary>
    /// Stop after this many objects and return what was gathered, marked truncated. Default: 50,000,000
    /// (the histogram itself stays small, one entry per type; the limit bounds the time the target's
    /// event stream is read and the events the target buffers).
    /// </summary>
    public long MaxObjects { get; init; } = 50_000_000;

    /// <summary>Give up (returning what was gathered, or failing when nothing was) after this long. Default: 5 minutes.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Size of the EventPipe session's buffer inside the target, in MiB. Default: 256, as dotnet-gcdump uses.
    /// The runtime allocates it on demand, so it only costs the target memory when the walk produces events
    /// faster than this process reads them; the heap is walked while the runtime is suspended, which is
    /// exactly when that happens. A smaller buffer makes the runtime drop events (the snapshot then says how
    /// many were lost); a larger one lets a reader that falls behind cost the target more memory.
    /// </summary>
    public int BufferSizeMiB { get; init; } = 256;

    /// <summary>How often progress is reported at most. Default: 100 ms.</summary>
    public TimeSpan ProgressInterval { get; init; } = TimeSpan.FromMilliseconds(100);

    internal void Validate()
    {
        if (MaxObjects < 1 || MaxObjects > MaxObjectsLimit)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxObjects), MaxObjects, $"must be between 1 and {MaxObjectsLimit}");
        }

        if (Timeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(Timeout), Timeout, "must be positive");
        }

        if (BufferSizeMiB is < 1 or > 4096)
        {
            throw new ArgumentOutOfRangeException(nameof(BufferSizeMiB), BufferSizeMiB, "must be between 1 and 4096");
        }
    }
}
