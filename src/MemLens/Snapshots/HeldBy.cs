namespace MemLens.Snapshots;

/// <summary>
/// Where one type's objects are held between two snapshots: the holder path (root first, ending at the object
/// that dominates them) whose share of the type grew the most.
/// </summary>
/// <param name="Path">The holder, root first: <c>static Hub.Changed → System.EventHandler → Session</c>.</param>
/// <param name="CountBefore">Objects of the type under this holder in the first snapshot (0 when it had no retention data).</param>
/// <param name="CountAfter">Objects of the type under this holder in the second.</param>
/// <param name="BytesBefore">Their shallow bytes in the first snapshot.</param>
/// <param name="BytesAfter">Their shallow bytes in the second.</param>
public readonly record struct HeldBy(string Path, long CountBefore, long CountAfter, long BytesBefore, long BytesAfter)
{
    public long BytesDelta => BytesAfter - BytesBefore;

    public long CountDelta => CountAfter - CountBefore;
}

/// <summary>
/// Finds, for each type, the holder whose share of the type grew most between two snapshots' retention trees.
/// Paths are matched by their labels (root name and type names), so two snapshots of the same process, taken
/// apart, line up even though their trees were built separately.
/// </summary>
public sealed class HeldByIndex
{
    private readonly Dictionary<string, HeldBy> _best = new(StringComparer.Ordinal);

    /// <param name="before">The first snapshot's retention, or null when it has none (every holder then counts from 0).</param>
    /// <param name="after">The second snapshot's retention.</param>
    public HeldByIndex(HeapRetention? before, HeapRetention after)
    {
        ArgumentNullException.ThrowIfNull(after);
        var sums = new Dictionary<(string Type, string Holder), (long C0, long B0, long C1, long B1)>();
        if (before is not null)
        {
            foreach (var (type, holder, node) in TypeNodes(before))
            {
                sums.TryGetValue((type, holder), out var v);
                sums[(type, holder)] = (v.C0 + node.Count, v.B0 + node.Bytes, v.C1, v.B1);
            }
        }

        foreach (var (type, holder, node) in TypeNodes(after))
        {
            sums.TryGetValue((type, holder), out var v);
            sums[(type, holder)] = (v.C0, v.B0, v.C1 + node.Count, v.B1 + node.Bytes);
        }

        foreach (var ((type, holder), v) in sums)
        {
            var candidate = new HeldBy(holder, v.C0, v.C1, v.B0, v.B1);
            if (!_best.TryGetValue(type, out var best) || Better(candidate, best))
            {
                _best[type] = candidate;
            }
        }
    }

    /// <summary>The holder whose share of <paramref name="typeName"/> grew most, or null when the second snapshot has no path to it.</summary>
    public HeldBy? For(string typeName) => _best.TryGetValue(typeName, out var h) && (h.CountAfter > 0 || h.CountBefore > 0) ? h : null;

    // Most bytes added; then most bytes now; then the path, so the choice does not depend on dictionary order.
    private static bool Better(HeldBy a, HeldBy b) =>
        a.BytesDelta != b.BytesDelta ? a.BytesDelta > b.BytesDelta
        : a.BytesAfter != b.BytesAfter ? a.BytesAfter > b.BytesAfter
        : string.CompareOrdinal(a.Path, b.Path) < 0;

    /// <summary>Every type node with its type name and holder path (the path of its parent).</summary>
    private static IEnumerable<(string Type, string Holder, RetentionNode Node)> TypeNodes(HeapRetention retention)
    {
        var paths = new string[retention.Nodes.Count];
        for (int i = 0; i < retention.Nodes.Count; i++)
        {
            var node = retention.Nodes[i];
            paths[i] = node.Parent < 0 ? node.Label : paths[node.Parent] + " → " + node.Label;
            if (node.Kind == RetentionNodeKind.Type)
            {
                yield return (node.Label, paths[node.Parent], node);
            }
        }
    }
}
