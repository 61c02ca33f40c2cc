using MemLens.Snapshots;

namespace MemLens.Actions;

/// <summary>
/// What a host can do to a process it watches from the outside (an attached .NET process): induce a full GC
/// and take a heap snapshot. Implemented by MemLens.Diagnostics over the diagnostic port; surfaces (the
/// dashboard, the tool) call it without knowing how. Failures throw <see cref="TargetActionException"/>
/// with one line for people.
/// </summary>
public interface ITargetActions
{
    /// <summary>Induces a blocking, compacting gen2 GC in the target and waits for it to end.</summary>
    Task<InducedGc> CollectAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Walks the target's GC heap (during an induced full GC) and returns the type histogram. Reports progress
    /// while it runs; a snapshot cut short (process exit, size limit) is returned with <c>Truncated</c> set.
    /// </summary>
    Task<HeapSnapshot> SnapshotAsync(IProgress<SnapshotProgress>? progress, CancellationToken cancellationToken);
}
