using MemLens.Actions;
using MemLens.Snapshots;

namespace MemLens.Diagnostics;

/// <summary>
/// Actions on an attached .NET process, over its diagnostic port: an induced full GC and a heap snapshot.
/// </summary>
public sealed class DotNetTargetActions : ITargetActions
{
    public DotNetTargetActions(int processId) => ProcessId = processId;

    public int ProcessId { get; }

    public Task<InducedGc> CollectAsync(CancellationToken cancellationToken) =>
        throw new TargetActionException("Induced GC is being built (issue 4).");

    public Task<HeapSnapshot> SnapshotAsync(IProgress<SnapshotProgress>? progress, CancellationToken cancellationToken) =>
        throw new TargetActionException("Heap snapshots are being built (issue 4).");
}
