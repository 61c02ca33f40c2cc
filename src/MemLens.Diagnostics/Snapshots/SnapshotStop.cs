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
public sealed record HeapSnapshotResult(MemLens.Snapshots.HeapSnapshot Snapshot, SnapshotStop Stop)
{
    /// <summary>How the object graph was captured and analysed; null when <see cref="HeapSnapshotOptions.CaptureGraph"/> is off or nothing was analysed.</summary>
    public GraphReport? Graph { get; init; }
}

/// <summary>Figures of one snapshot's object graph: what was kept, dropped, skipped and named.</summary>
/// <param name="Nodes">Objects in the graph.</param>
/// <param name="Edges">References in the graph.</param>
/// <param name="Roots">Root entries in the graph (static fields included).</param>
/// <param name="Losses">What the graph builder dropped.</param>
/// <param name="Statics">What became of the static field slots (named by the walk or read from the process).</param>
/// <param name="WeakHandlesSkipped">Weak GC handles the walk reported: they keep nothing alive, so they are not roots.</param>
/// <param name="StaticFieldsRead">Static object fields read from the process after the walk (0 when not attached).</param>
/// <param name="StaticFieldsOverLimit">Static fields left unread because of <see cref="HeapSnapshotOptions.MaxStaticFields"/> or <see cref="HeapSnapshotOptions.StaticFieldTimeLimit"/>.</param>
/// <param name="StaticNamingError">Why static fields could not be read from the process, or null.</param>
/// <param name="NamingTime">How long the process was attached to read its static fields.</param>
/// <param name="AnalysisTime">How long building the graph and analysing it took.</param>
public sealed record GraphReport(
    int Nodes, int Edges, int Roots, MemLens.Snapshots.Graph.HeapGraphLosses Losses, MemLens.Snapshots.Graph.StaticSlotFolding Statics,
    long WeakHandlesSkipped, long StaticFieldsRead, long StaticFieldsOverLimit, string? StaticNamingError, TimeSpan NamingTime, TimeSpan AnalysisTime);
