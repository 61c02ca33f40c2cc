using MemLens.Actions;
using MemLens.Diagnostics.Actions;
using MemLens.Diagnostics.Snapshots;
using MemLens.Snapshots;

namespace MemLens.Diagnostics;

/// <summary>
/// Actions on an attached .NET process, over its diagnostic port: an induced full GC and a heap snapshot.
/// </summary>
public sealed class DotNetTargetActions : ITargetActions
{
    private readonly HeapSnapshotOptions? _snapshotOptions;

    // The runtime names a type once while any session keeps its events on; later snapshots need the earlier names.
    private readonly TypeNameCache _typeNames = new();

    public DotNetTargetActions(int processId) => ProcessId = processId;

    /// <param name="processId">The target.</param>
    /// <param name="snapshotOptions">Limits of <see cref="SnapshotAsync"/> (object count, timeout, buffer). Default: <see cref="HeapSnapshotOptions"/>'s defaults.</param>
    public DotNetTargetActions(int processId, HeapSnapshotOptions? snapshotOptions)
    {
        ProcessId = processId;
        _snapshotOptions = snapshotOptions;
    }

    public int ProcessId { get; }

    /// <summary>How long to wait for the induced GC to be reported. Default: 60 s.</summary>
    public TimeSpan CollectTimeout { get; init; } = TimeSpan.FromSeconds(60);

    public Task<InducedGc> CollectAsync(CancellationToken cancellationToken) =>
        InducedCollection.RunAsync(ProcessId, CollectTimeout, cancellationToken);

    public async Task<HeapSnapshot> SnapshotAsync(IProgress<SnapshotProgress>? progress, CancellationToken cancellationToken) =>
        (await new HeapSnapshotter(_snapshotOptions, _typeNames).TakeAsync(ProcessId, progress, cancellationToken).ConfigureAwait(false)).Snapshot;
}
