namespace MemLens.Snapshots;

/// <summary>
/// A type histogram of a process's GC heap at one moment: count and bytes per type, biggest first.
/// Taken out of process by walking the heap during an induced full GC (the way dotnet-gcdump does),
/// saved and read by <c>SnapshotFile</c>, compared by <see cref="SnapshotDiff"/>.
/// </summary>
public sealed class HeapSnapshot
{
    /// <param name="processId">The process as the host sees it.</param>
    /// <param name="processName">Its name (comm or executable).</param>
    /// <param name="takenAtMs">When the heap walk started, Unix milliseconds.</param>
    /// <param name="types">Per-type figures; stored sorted by bytes, largest first (ties by name).</param>
    public HeapSnapshot(int processId, string processName, long takenAtMs, IEnumerable<TypeStat> types)
    {
        ArgumentNullException.ThrowIfNull(processName);
        ArgumentNullException.ThrowIfNull(types);
        ProcessId = processId;
        ProcessName = processName;
        TakenAtMs = takenAtMs;
        var sorted = types.ToArray();
        Array.Sort(sorted, static (a, b) => b.Bytes != a.Bytes ? b.Bytes.CompareTo(a.Bytes) : string.CompareOrdinal(a.Name, b.Name));
        Types = sorted;
        foreach (var t in sorted)
        {
            TotalObjects += t.Count;
            TotalBytes += t.Bytes;
        }
    }

    /// <summary>Short id, unique within one monitoring session (the dashboard's snapshot list uses it).</summary>
    public string Id { get; init; } = "";

    public int ProcessId { get; }

    public string ProcessName { get; }

    /// <summary>When the heap walk started, Unix milliseconds.</summary>
    public long TakenAtMs { get; }

    /// <summary>How long taking the snapshot took, from the request to the last object.</summary>
    public TimeSpan Duration { get; init; }

    /// <summary>Index of the GC during which the heap was walked, or 0 when not known.</summary>
    public long GcIndex { get; init; }

    /// <summary>The runtime version of the process, when known (e.g. <c>10.0.12</c>).</summary>
    public string? RuntimeVersion { get; init; }

    /// <summary>
    /// True when the figures are partial: the snapshot stopped before the heap walk ended (the process exited, a
    /// size limit was reached, it was cancelled) or the walk lost events (<see cref="EventsLost"/>).
    /// <see cref="Note"/> says why.
    /// </summary>
    public bool Truncated { get; init; }

    /// <summary>
    /// Events of the heap walk the runtime dropped because its event buffer was full: when above 0, objects are
    /// missing and the counts are too low, whatever else the snapshot says.
    /// </summary>
    public long EventsLost { get; init; }

    /// <summary>True when the figures are not the whole heap: <see cref="Truncated"/> or <see cref="EventsLost"/> above 0.</summary>
    public bool Incomplete => Truncated || EventsLost > 0;

    /// <summary>Why the snapshot is partial, or other things a reader should know; null when there is nothing to say.</summary>
    public string? Note { get; init; }

    /// <summary>
    /// Who holds the heap (retention tree and retained bytes per type), when the walk captured references and roots;
    /// null for a histogram-only snapshot (and files of format version 1).
    /// </summary>
    public HeapRetention? Retention { get; init; }

    /// <summary>Per-type figures, largest total bytes first.</summary>
    public IReadOnlyList<TypeStat> Types { get; }

    public long TotalObjects { get; }

    public long TotalBytes { get; }
}
