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

    /// <summary>
    /// Keep the walk's references and roots and analyse who holds the heap (<see cref="HeapSnapshot.Retention"/>).
    /// Default: true. False: a type histogram only, at its lower cost (no graph in this process's memory).
    /// </summary>
    public bool CaptureGraph { get; init; } = true;

    /// <summary>
    /// With <see cref="CaptureGraph"/>: right after the walk, attach to the process (ptrace, through ClrMD) for a
    /// moment to read its static fields, so a field like <c>Hub.Changed</c> is the named root of what it holds
    /// (the walk names only some framework statics). Default: true. When attaching is not allowed the snapshot
    /// says so in its note and keeps its graph.
    /// </summary>
    public bool NameStaticFields { get; init; } = true;

    /// <summary>Most static fields read when naming them; the rest are counted in the note. Default: 1,000,000.</summary>
    public int MaxStaticFields { get; init; } = 1_000_000;

    /// <summary>Longest the process is kept suspended while its static fields are read; the rest are counted in the note. Default: 10 seconds.</summary>
    public TimeSpan StaticFieldTimeLimit { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Most objects kept in the graph; more are counted and the snapshot is marked truncated. Default: 20,000,000.</summary>
    public int MaxGraphNodes { get; init; } = 20_000_000;

    /// <summary>Most references kept in the graph; more are counted and the snapshot is marked truncated. Default: 60,000,000.</summary>
    public int MaxGraphEdges { get; init; } = 60_000_000;

    /// <summary>Most roots (and separately most static slots) kept in the graph; more are counted and the snapshot is marked truncated. Default: 4,000,000.</summary>
    public int MaxGraphRoots { get; init; } = 4_000_000;

    /// <summary>Most nodes of the retention tree kept (the smallest by retained bytes are left out and counted). Default: 20,000.</summary>
    public int MaxRetentionNodes { get; init; } = 20_000;

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

        if (MaxStaticFields < 0 || MaxGraphNodes < 1 || MaxGraphEdges < 0 || MaxGraphRoots < 1 || MaxRetentionNodes < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxGraphNodes), "graph limits must be positive");
        }

        if (StaticFieldTimeLimit <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(StaticFieldTimeLimit), StaticFieldTimeLimit, "must be positive");
        }

        if (BufferSizeMiB is < 1 or > MaxBufferSizeMiB)
        {
            throw new ArgumentOutOfRangeException(nameof(BufferSizeMiB), BufferSizeMiB, $"must be between 1 and {MaxBufferSizeMiB}");
        }
    }
}
