namespace MemLens.Diagnostics.Snapshots;

/// <summary>Why a heap snapshot ended.</summary>
public enum SnapshotStop
{
    /// <summary>The heap walk's GC ended: the histogram is complete.</summary>
    Completed,

    /// <summary><see cref="HeapSnapshotOptions.MaxObjects"/> was reached; the histogram is partial.</summary>
    ObjectLimit,

    /// <summary>The target exited (or closed its event stream) before the walk ended; the histogram is partial.</summary>
    TargetExited,

    /// <summary><see cref="HeapSnapshotOptions.Timeout"/> passed before the walk ended; the histogram is partial.</summary>
    TimedOut,

    /// <summary>The caller cancelled; the histogram is partial.</summary>
    Cancelled,

    /// <summary>
    /// The walk's GC ended but the runtime dropped some of its events (its EventPipe buffer was full): objects are
    /// missing, <see cref="MemLens.Snapshots.HeapSnapshot.EventsLost"/> says how many events.
    /// </summary>
    EventsLost,

    /// <summary>
    /// The walk sent nothing for <see cref="HeapSnapshotOptions.IdleLimit"/> without its GC's end (usually dropped with
    /// other events); the histogram is partial.
    /// </summary>
    Idle,
}

/// <summary>A snapshot and why it ended (a partial one has <see cref="MemLens.Snapshots.HeapSnapshot.Truncated"/> set too).</summary>
public sealed record HeapSnapshotResult(MemLens.Snapshots.HeapSnapshot Snapshot, SnapshotStop Stop);
