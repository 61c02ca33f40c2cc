namespace MemLens.Snapshots;

/// <summary>What a <see cref="RetentionNode"/> stands for.</summary>
public enum RetentionNodeKind : byte
{
    /// <summary>A root: a static field, a GC handle, a thread's stack, the finalizer queue, … (its label names it).</summary>
    Root = 0,

    /// <summary>Objects of one type (the label is the type name) held along the path from the root.</summary>
    Type = 1,
}

/// <summary>
/// One step of a heap's retention tree: objects of one type (or one root) reached through the same chain of
/// dominating types from the same root. Built from the dominator tree by grouping objects whose dominator chain
/// has the same labels, so <c>static Hub.Changed → System.EventHandler → Session → System.Byte[]</c> is four
/// nodes, the last one counting every <c>Byte[]</c> that a <c>Session</c> held by that event keeps alive on its own.
/// </summary>
/// <param name="Parent">Index of the parent node in <see cref="HeapRetention.Nodes"/>, or -1 for a root.</param>
/// <param name="Kind">Root or type.</param>
/// <param name="Label">
/// For a root, what it is (<c>static Hub.Changed</c>, <c>pinned handle</c>, <c>stack</c>, <c>finalizer queue</c>,
/// <see cref="HeapRetention.SeveralRoots"/>, <see cref="HeapRetention.NoRootFound"/>); for a type, its full name.
/// </param>
/// <param name="Count">Objects of this node (for a root: root entries grouped under it).</param>
/// <param name="Bytes">Their own (shallow) bytes; 0 for a root.</param>
/// <param name="RetainedBytes">
/// The bytes these objects keep alive on their own: the sum of their retained sizes, counting an object nested
/// under another object of the same node once (a linked list's nodes share one node). For a root, what the root
/// alone keeps alive. Includes every descendant node's retained bytes.
/// </param>
public readonly record struct RetentionNode(int Parent, RetentionNodeKind Kind, string Label, long Count, long Bytes, long RetainedBytes);

/// <summary>
/// Who holds the heap: the retention tree (dominator chains grouped by type, roots first), and the bytes each
/// type retains. Kept with a <see cref="HeapSnapshot"/> when the heap walk captured references and roots.
/// </summary>
public sealed class HeapRetention
{
    /// <summary>Label of the root node for objects reachable from more than one root (no single root dominates them).</summary>
    public const string SeveralRoots = "[several roots]";

    /// <summary>Label of the root node for objects alive in the walk but reached from no root it reported.</summary>
    public const string NoRootFound = "[no root reported]";

    /// <param name="nodes">The tree, every parent before its children (parent index &lt; own index).</param>
    /// <param name="retainedByType">Per type name: the bytes all its instances retain (instances nested in another of the same type counted once).</param>
    public HeapRetention(IReadOnlyList<RetentionNode> nodes, IReadOnlyDictionary<string, long> retainedByType)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        ArgumentNullException.ThrowIfNull(retainedByType);
        for (int i = 0; i < nodes.Count; i++)
        {
            int p = nodes[i].Parent;
            if (p < -1 || p >= i)
            {
                throw new ArgumentException($"node {i}: parent {p} must be -1 or an earlier node", nameof(nodes));
            }

            if (p == -1 && nodes[i].Kind != RetentionNodeKind.Root)
            {
                throw new ArgumentException($"node {i}: a node without parent must be a root", nameof(nodes));
            }
        }

        Nodes = nodes;
        RetainedBytesByType = retainedByType;
    }

    private Dictionary<string, int>? _mainNodes;

    /// <summary>The retention tree, parents first.</summary>
    public IReadOnlyList<RetentionNode> Nodes { get; }

    /// <summary>"Retained by all instances" per type name (see <see cref="RetentionNode.RetainedBytes"/>).</summary>
    public IReadOnlyDictionary<string, long> RetainedBytesByType { get; }

    /// <summary>Tree nodes left out to bound the size (the smallest by retained bytes); their objects are still in the type figures.</summary>
    public long OmittedNodes { get; init; }

    /// <summary>Objects of the omitted tree nodes.</summary>
    public long OmittedObjects { get; init; }

    /// <summary>Shallow bytes of the omitted tree nodes' objects.</summary>
    public long OmittedBytes { get; init; }

    /// <summary>Objects the walk reported but no reported root reaches (they count under <see cref="NoRootFound"/>).</summary>
    public long UnrootedObjects { get; init; }

    /// <summary>Their shallow bytes.</summary>
    public long UnrootedBytes { get; init; }

    /// <summary>Labels from the root down to node <paramref name="node"/>, root first.</summary>
    public IReadOnlyList<string> PathLabels(int node)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(node);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(node, Nodes.Count);
        var labels = new List<string>();
        for (int i = node; i >= 0; i = Nodes[i].Parent)
        {
            labels.Add(Nodes[i].Label);
        }

        labels.Reverse();
        return labels;
    }

    /// <summary>The path as one line, root first: <c>static Hub.Changed → System.EventHandler → Session</c>.</summary>
    public string PathText(int node) => string.Join(" → ", PathLabels(node));

    /// <summary>Indices of the type nodes of <paramref name="typeName"/>, largest retained bytes first.</summary>
    public IReadOnlyList<int> NodesOfType(string typeName)
    {
        ArgumentNullException.ThrowIfNull(typeName);
        var found = new List<int>();
        for (int i = 0; i < Nodes.Count; i++)
        {
            if (Nodes[i].Kind == RetentionNodeKind.Type && string.Equals(Nodes[i].Label, typeName, StringComparison.Ordinal))
            {
                found.Add(i);
            }
        }

        found.Sort((a, b) => Nodes[b].RetainedBytes != Nodes[a].RetainedBytes ? Nodes[b].RetainedBytes.CompareTo(Nodes[a].RetainedBytes) : a.CompareTo(b));
        return found;
    }

    /// <summary>
    /// The main holder of a type: the path (root first, the type itself excluded) of its tree node with the most
    /// shallow bytes (ties: the most retained bytes, then the earliest node), or null when the type has no node.
    /// </summary>
    public string? MainHolder(string typeName)
    {
        int node = MainNode(typeName);
        return node < 0 || Nodes[node].Parent < 0 ? null : PathText(Nodes[node].Parent);
    }

    /// <summary>The tree node <see cref="MainHolder"/> reads its path from, or -1 when the type has no node.</summary>
    public int MainNode(string typeName)
    {
        ArgumentNullException.ThrowIfNull(typeName);
        return MainNodes().TryGetValue(typeName, out int node) ? node : -1;
    }

    // Every type's main node, found in one pass the first time one is asked for (a table of the top types asks for
    // each of them; the tree does not change).
    private Dictionary<string, int> MainNodes()
    {
        if (_mainNodes is { } found)
        {
            return found;
        }

        var best = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < Nodes.Count; i++)
        {
            var n = Nodes[i];
            if (n.Kind == RetentionNodeKind.Type
                && (!best.TryGetValue(n.Label, out int b) || n.Bytes > Nodes[b].Bytes || (n.Bytes == Nodes[b].Bytes && n.RetainedBytes > Nodes[b].RetainedBytes)))
            {
                best[n.Label] = i;
            }
        }

        return _mainNodes = best;
    }
}
