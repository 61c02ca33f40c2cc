namespace MemLens.Snapshots;

/// <summary>Where a running snapshot is: shown while it runs (terminal progress, dashboard).</summary>
/// <param name="Phase">
/// What it is doing: <c>connecting</c>, <c>walking heap</c>, <c>reading types</c>, <c>naming static fields</c>,
/// <c>analysing</c>, <c>done</c>.
/// </param>
/// <param name="Objects">Objects seen so far.</param>
/// <param name="Bytes">Their total size so far.</param>
/// <param name="Elapsed">Time since the snapshot was asked for.</param>
public readonly record struct SnapshotProgress(string Phase, long Objects, long Bytes, TimeSpan Elapsed);
