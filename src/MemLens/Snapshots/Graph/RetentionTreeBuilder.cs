namespace MemLens.Snapshots.Graph;

/// <summary>
/// Turns a dominator tree with retained sizes into a <see cref="HeapRetention"/>: objects grouped by the labels of
/// their dominator chain (root, then each dominating object's type), so millions of objects become a tree of
/// paths a person can read, and the whole tree is bounded by a node limit.
/// </summary>
/// <remarks>
/// One pass over the DFS preorder (every vertex after its dominator): a vertex's tree node is the child of its
/// dominator's tree node labelled with its type, found in one dictionary keyed by (parent node, label). An object
/// directly dominated by an object of the same type joins that object's node instead of nesting under it, so a
/// 10 M-long linked list is one node and no path grows with the heap's depth. Objects no root reaches are grouped
/// under <see cref="HeapRetention.NoRootFound"/> by type; objects several roots reach under
/// <see cref="HeapRetention.SeveralRoots"/>. Memory: one int per vertex plus the nodes (capped by <c>maxNodes</c>).
/// </remarks>
public static class RetentionTreeBuilder
{
    private const int Omitted = -2;

    /// <summary>Builds the retention tree.</summary>
    /// <param name="sizes">Retained sizes over the dominator tree of the heap graph.</param>
    /// <param name="typeName">The name of a type index of the graph.</param>
    /// <param name="rootLabel">The label of a root entry of the graph (e.g. <c>static Hub.Changed</c>, <c>pinned handle</c>).</param>
    /// <param name="maxNodes">Most tree nodes kept; the smallest by retained bytes are left out beyond it and counted.</param>
    public static HeapRetention Build(RetainedSizes sizes, Func<int, string> typeName, Func<int, string> rootLabel, int maxNodes = 20_000)
    {
        ArgumentNullException.ThrowIfNull(sizes);
        ArgumentNullException.ThrowIfNull(typeName);
        ArgumentNullException.ThrowIfNull(rootLabel);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxNodes, 1);

        var tree = sizes.Tree;
        var graph = tree.Graph;
        int n = graph.NodeCount;
        ReadOnlySpan<int> types = graph.TypeIndices;
        NodeSizes own = graph.Sizes;
        ReadOnlySpan<long> retained = sizes.ByVertex;
        ReadOnlySpan<int> order = tree.PreOrder;

        // While grouping the cap is generous (the tree is pruned to maxNodes afterwards, by retained bytes, which
        // needs the small nodes to exist first); beyond it objects are counted as omitted.
        int groupingCap = (int)Math.Min(int.MaxValue / 2, Math.Max(1_000_000L, 20L * maxNodes));
        var nodes = new Nodes(groupingCap);

        // Each type index named once, and indices with the same name (a type loaded twice) made one: the per-object
        // lookup below is then keyed by two ints, not by a string hashed a million times (measured: 1 M objects took
        // ~200 ms keyed by name).
        var names = new string[graph.TypeCount];
        var canonical = new int[graph.TypeCount];
        var byName = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int t = 0; t < names.Length; t++)
        {
            names[t] = typeName(t);
            canonical[t] = byName.TryAdd(names[t], t) ? t : byName[names[t]];
        }

        using var nodeOfBuffer = new NativeBuffer<int>(tree.VertexCount);
        Span<int> nodeOf = nodeOfBuffer.Span;
        long omittedObjects = 0, omittedBytes = 0;

        for (int i = 1; i < order.Length; i++)
        {
            int v = order[i];
            int d = tree.ImmediateDominator(v);
            if (tree.IsRoot(v))
            {
                int r = nodes.Intern(-1, RetentionNodeKind.Root, rootLabel(tree.RootIndex(v)));
                nodeOf[v] = r;
                if (r >= 0)
                {
                    nodes.Add(r, 1, 0, retained[v]);
                }

                continue;
            }

            int parent;
            if (d == tree.SuperRoot)
            {
                parent = nodes.Intern(-1, RetentionNodeKind.Root, HeapRetention.SeveralRoots);
                if (parent >= 0)
                {
                    nodes.Add(parent, 0, 0, retained[v]);
                }
            }
            else
            {
                parent = nodeOf[d];
            }

            int node;
            bool nested = d < n && types[d] == types[v] && parent >= 0;
            if (nested)
            {
                node = parent; // same type as its dominator: one node for the run
            }
            else if (parent < 0)
            {
                node = Omitted;
            }
            else
            {
                node = nodes.InternType(parent, canonical[types[v]], names);
            }

            nodeOf[v] = node;
            if (node < 0)
            {
                omittedObjects++;
                omittedBytes += own[v];
                continue;
            }

            nodes.Add(node, 1, own[v], nested ? 0 : retained[v]);
        }

        long unrootedObjects = 0, unrootedBytes = 0;
        int unrooted = -1;
        for (int v = 0; v < n; v++)
        {
            if (tree.IsReachable(v))
            {
                continue;
            }

            unrootedObjects++;
            unrootedBytes += own[v];
            if (unrooted == -1)
            {
                unrooted = nodes.Intern(-1, RetentionNodeKind.Root, HeapRetention.NoRootFound);
            }

            int node = unrooted < 0 ? Omitted : nodes.InternType(unrooted, canonical[types[v]], names);
            if (node < 0)
            {
                omittedObjects++;
                omittedBytes += own[v];
                continue;
            }

            nodes.Add(node, 1, own[v], own[v]);
            nodes.Add(unrooted, 0, 0, own[v]);
        }

        var (kept, dropped, droppedObjects, droppedBytes) = nodes.Prune(maxNodes);

        var byType = new Dictionary<string, long>(StringComparer.Ordinal);
        ReadOnlySpan<long> retainedByType = sizes.ByType;
        for (int t = 0; t < retainedByType.Length; t++)
        {
            if (retainedByType[t] > 0)
            {
                string name = typeName(t);
                byType[name] = byType.GetValueOrDefault(name) + retainedByType[t];
            }
        }

        return new HeapRetention(kept, byType)
        {
            OmittedNodes = dropped + nodes.Refused,
            OmittedObjects = omittedObjects + droppedObjects,
            OmittedBytes = omittedBytes + droppedBytes,
            UnrootedObjects = unrootedObjects,
            UnrootedBytes = unrootedBytes,
        };
    }

    /// <summary>The tree while it is grouped: parallel lists and the (parent, label) → node dictionary.</summary>
    private sealed class Nodes(int cap)
    {
        private readonly Dictionary<(int Parent, string Label), int> _index = [];
        private readonly Dictionary<long, int> _typeIndex = [];
        private readonly List<int> _parent = [];
        private readonly List<RetentionNodeKind> _kind = [];
        private readonly List<string> _label = [];
        private readonly List<long> _count = [];
        private readonly List<long> _bytes = [];
        private readonly List<long> _retained = [];

        /// <summary>Nodes that could not be made because the cap was reached.</summary>
        public long Refused { get; private set; }

        /// <summary>The type node under <paramref name="parent"/> for a (canonical) type index, made if new; -2 when the cap is reached.</summary>
        public int InternType(int parent, int type, string[] names)
        {
            long key = ((long)parent << 32) | (uint)type;
            if (_typeIndex.TryGetValue(key, out int found))
            {
                return found;
            }

            int id = Intern(parent, RetentionNodeKind.Type, names[type]);
            if (id >= 0)
            {
                _typeIndex.Add(key, id);
            }

            return id;
        }

        /// <summary>The node under <paramref name="parent"/> with this label, made if new; -2 when the cap is reached.</summary>
        public int Intern(int parent, RetentionNodeKind kind, string label)
        {
            // Roots and types never share a parent, so the label alone tells them apart under one parent.
            if (_index.TryGetValue((parent, label), out int found))
            {
                return found;
            }

            if (_parent.Count >= cap)
            {
                Refused++;
                return Omitted;
            }

            int id = _parent.Count;
            _index.Add((parent, label), id);
            _parent.Add(parent);
            _kind.Add(kind);
            _label.Add(label);
            _count.Add(0);
            _bytes.Add(0);
            _retained.Add(0);
            return id;
        }

        public void Add(int node, long count, long bytes, long retained)
        {
            _count[node] += count;
            _bytes[node] += bytes;
            _retained[node] += retained;
        }

        /// <summary>
        /// Keeps the <paramref name="max"/> nodes with the most retained bytes (a node never retains less than its
        /// children and is made before them, so ties broken by index keep every kept node's parent), ordered depth
        /// first with each node's children by retained bytes descending.
        /// </summary>
        public (List<RetentionNode> Kept, long Dropped, long DroppedObjects, long DroppedBytes) Prune(int max)
        {
            int count = _parent.Count;
            var keep = new bool[count];
            var byRetained = new int[count];
            for (int i = 0; i < count; i++)
            {
                byRetained[i] = i;
            }

            Array.Sort(byRetained, (a, b) => _retained[a] != _retained[b] ? _retained[b].CompareTo(_retained[a]) : a.CompareTo(b));
            for (int k = 0; k < Math.Min(max, count); k++)
            {
                // Closed upward in any case: a parent is kept with its child.
                for (int i = byRetained[k]; i >= 0 && !keep[i]; i = _parent[i])
                {
                    keep[i] = true;
                }
            }

            long droppedObjects = 0, droppedBytes = 0, dropped = 0;
            var children = new List<int>?[count];
            var tops = new List<int>();
            for (int i = 0; i < count; i++)
            {
                if (!keep[i])
                {
                    dropped++;
                    if (_kind[i] == RetentionNodeKind.Type)
                    {
                        droppedObjects += _count[i];
                        droppedBytes += _bytes[i];
                    }

                    continue;
                }

                (_parent[i] < 0 ? tops : children[_parent[i]] ??= []).Add(i);
            }

            Comparison<int> biggestFirst = (a, b) => _retained[a] != _retained[b] ? _retained[b].CompareTo(_retained[a]) : a.CompareTo(b);
            var kept = new List<RetentionNode>();
            var stack = new Stack<(int Node, int NewParent)>();
            tops.Sort(biggestFirst);
            for (int t = tops.Count - 1; t >= 0; t--)
            {
                stack.Push((tops[t], -1));
            }

            while (stack.Count > 0)
            {
                var (i, newParent) = stack.Pop();
                int id = kept.Count;
                kept.Add(new RetentionNode(newParent, _kind[i], _label[i], _count[i], _bytes[i], _retained[i]));
                if (children[i] is { } list)
                {
                    list.Sort(biggestFirst);
                    for (int c = list.Count - 1; c >= 0; c--)
                    {
                        stack.Push((list[c], id));
                    }
                }
            }

            return (kept, dropped, droppedObjects, droppedBytes);
        }
    }
}
