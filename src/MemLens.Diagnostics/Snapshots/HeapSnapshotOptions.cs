using MemLens.Snapshots;

namespace MemLens.Diagnostics.Snapshots;

/// <summary>Limits of one heap snapshot. Every property says its default.</summary>
public sealed class HeapSnapshotOptions
{
    /// <summary>The default <see cref="BufferSizeMiB"/>.</summary>
    public const int DefaultBufferSizeMiB = 1024;

    /// <summary>The largest <see cref="BufferSizeMiB"/> accepted.</summary>
    public const int MaxBufferSizeMiB = 4096;

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
    /// Size of the EventPipe session's buffer inside the target, in MiB. Default: 1024 (dotnet-gcdump's size).
    /// The runtime walks the heap while it is suspended and writes the walk's events (about 56 bytes per object with
    /// its references) into this buffer; it allocates the buffer on demand, so it only costs the target memory while
    /// this process reads the events more slowly than the walk makes them (a busy machine: up to the whole buffer).
    /// When it is full the runtime drops events, and the snapshot says so (<see cref="HeapSnapshot.EventsLost"/>,
    /// <see cref="SnapshotStop.EventsLost"/>); .NET 10 has no lossless mode for this.
    /// </summary>
    public int BufferSizeMiB { get; init; } = DefaultBufferSizeMiB;

    /// <summary>
    /// A walk that has started and then sends nothing for this long is taken as ended (its end was dropped with
    /// other events) instead of waiting for <see cref="Timeout"/>. Default: 10 seconds.
    /// </summary>
    public TimeSpan IdleLimit { get; init; } = TimeSpan.FromSeconds(10);

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

        if (IdleLimit <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(IdleLimit), IdleLimit, "must be positive");
        }

        if (BufferSizeMiB is < 1 or > MaxBufferSizeMiB)
        {
            throw new ArgumentOutOfRangeException(nameof(BufferSizeMiB), BufferSizeMiB, $"must be between 1 and {MaxBufferSizeMiB}");
        }
    }
}
