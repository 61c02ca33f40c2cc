namespace MemLens.Snapshots;

/// <summary>
/// Growth per type between two snapshots of the same process, sorted by bytes added (largest growth first,
/// then the largest shrink last): the top rows answer "what is accumulating?".
/// </summary>
public sealed class SnapshotDiff
{
    private SnapshotDiff(HeapSnapshot before, HeapSnapshot after, TypeGrowth[] rows)
    {
        Before = before;
        After = after;
        Rows = rows;
    }

    public HeapSnapshot Before { get; }

    public HeapSnapshot After { get; }

    /// <summary>Every type present in either snapshot, by <see cref="TypeGrowth.BytesDelta"/> descending (ties by count delta, then name), or by retained bytes added when asked.</summary>
    public IReadOnlyList<TypeGrowth> Rows { get; }

    public long BytesDelta => After.TotalBytes - Before.TotalBytes;

    public long CountDelta => After.TotalObjects - Before.TotalObjects;

    /// <summary>Compares <paramref name="before"/> with <paramref name="after"/>; neither is changed.</summary>
    /// <param name="before">The first snapshot.</param>
    /// <param name="after">The second snapshot.</param>
    /// <param name="byRetained">
    /// Order rows by retained bytes added (<see cref="OrderByRetained"/>) instead of shallow bytes added; rows then
    /// carry <see cref="TypeGrowth.RetainedBefore"/>/<see cref="TypeGrowth.RetainedAfter"/> either way.
    /// </param>
    public static SnapshotDiff Compute(HeapSnapshot before, HeapSnapshot after, bool byRetained = false)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        var byName = new Dictionary<string, (long C0, long B0, long C1, long B1)>(StringComparer.Ordinal);
        foreach (var t in before.Types)
        {
            byName.TryGetValue(t.Name, out var v);
            byName[t.Name] = (v.C0 + t.Count, v.B0 + t.Bytes, v.C1, v.B1);
        }

        foreach (var t in after.Types)
        {
            byName.TryGetValue(t.Name, out var v);
            byName[t.Name] = (v.C0, v.B0, v.C1 + t.Count, v.B1 + t.Bytes);
        }

        var rows = new TypeGrowth[byName.Count];
        int i = 0;
        foreach (var (name, v) in byName)
        {
            rows[i++] = new TypeGrowth(name, v.C0, v.C1, v.B0, v.B1);
        }

        if (after.Retention is { } retention)
        {
            var heldBy = new HeldByIndex(before.Retention, retention);
            for (int r = 0; r < rows.Length; r++)
            {
                string name = rows[r].Name;
                rows[r] = rows[r] with
                {
                    RetainedBefore = before.Retention is { } b ? b.RetainedBytesByType.GetValueOrDefault(name) : null,
                    RetainedAfter = retention.RetainedBytesByType.GetValueOrDefault(name),
                    HeldBy = heldBy.For(name),
                };
            }
        }

        Array.Sort(rows, byRetained ? OrderByRetained : Order);
        return new SnapshotDiff(before, after, rows);
    }

    /// <summary>Retained bytes added descending (a row without retention data counts 0), then <see cref="Order"/>.</summary>
    public static int OrderByRetained(TypeGrowth a, TypeGrowth b) =>
        (a.RetainedDelta ?? 0) != (b.RetainedDelta ?? 0) ? (b.RetainedDelta ?? 0).CompareTo(a.RetainedDelta ?? 0) : Order(a, b);

    /// <summary>The order of <see cref="Rows"/>: bytes added descending, then count added descending, then name.</summary>
    public static int Order(TypeGrowth a, TypeGrowth b) =>
        a.BytesDelta != b.BytesDelta ? b.BytesDelta.CompareTo(a.BytesDelta)
        : a.CountDelta != b.CountDelta ? b.CountDelta.CompareTo(a.CountDelta)
        : string.CompareOrdinal(a.Name, b.Name);
}
