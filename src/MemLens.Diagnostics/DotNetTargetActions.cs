using MemLens.Actions;
using MemLens.Diagnostics.Actions;
using MemLens.Snapshots;

namespace MemLens.Diagnostics;

/// <summary>
/// Actions on an attached .NET process, over its diagnostic port: an induced full GC and a heap snapshot.
/// </summary>
public sealed class DotNetTargetActions : ITargetActions
{
    public DotNetTargetActions(int processId) => ProcessId = processId;

    public int ProcessId { get; }

    /// <summary>How long to wait for the induced GC to be reported. Default: 60 s.</summary>
    public TimeSpan CollectTimeout { get; init; } = TimeSpan.FromSeconds(60);

    public Task<InducedGc> CollectAsync(CancellationToken cancellationToken) =>
        InducedCollection.RunAsync(ProcessId, CollectTimeout, cancellationToken);

    public Task<HeapSnapshot> SnapshotAsync(IProgress<SnapshotProgress>? progress, CancellationToken cancellationToken) =>
        throw new TargetActionException("Heap snapshots are being built (issue 4).");
}
