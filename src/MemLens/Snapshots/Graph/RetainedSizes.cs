namespace MemLens.Snapshots.Graph;

/// <summary>
/// Retained sizes from a <see cref="DominatorTree"/>: per vertex, per type and per root entry.
/// </summary>
/// <remarks>
/// A vertex's retained size is its own size plus the retained sizes of the vertices it immediately dominates:
/// the bytes that become unreachable if that one object (or root entry) disappears. Root vertices and the
/// super-root have size 0, so a root entry's retained size is what that root alone keeps alive, and the
/// super-root's is every reachable byte. Computed without recursion: one pass over the DFS preorder backwards,
/// since a vertex always comes after its dominators.
/// </remarks>
public sealed class RetainedSizes
{
    private readonly long[] _retained; // by vertex
    private readonly long[] _byType;
    private readonly long[] _topInstancesByType;

    private RetainedSizes(DominatorTree tree, long[] retained, long[] byType, long[] topInstancesByType)
    {
        Tree = tree;
        _retained = retained;
        _byType = byType;
        _topInstancesByType = topInstancesByType;
    }

    /// <summary>The dominator tree the sizes come from.</summary>
    public DominatorTree Tree { get; }

    /// <summary>Retained bytes of each vertex (heap node, root entry, super-root); 0 for an unreachable vertex.</summary>
    public ReadOnlySpan<long> ByVertex => _retained;

    /// <summary>Bytes reachable from the roots: the super-root's retained size.</summary>
    public long TotalReachable => _retained[Tree.SuperRoot];

    /// <summary>
    /// "Retained by all instances" of each type index: the sum of the retained sizes of the type's reachable
    /// instances that no other instance of the same type dominates. Equivalently, the total size of the union of
    /// the instances' dominator subtrees: every byte that some single instance of the type keeps alive on its own,
    /// counted once even when instances nest (a linked list's head already retains its tail). It is NOT what
    /// removing all instances together would free: an object held by two instances of the type (and by nothing
    /// else) is in neither's dominator subtree, so it is not counted here.
    /// </summary>
    public ReadOnlySpan<long> ByType => _byType;

    /// <summary>How many instances of each type count toward <see cref="ByType"/> (not dominated by another of their type).</summary>
    public ReadOnlySpan<long> TopInstancesByType => _topInstancesByType;

    /// <summary>What root entry <paramref name="root"/> alone keeps alive: the bytes freed if only that root went away.</summary>
    public long ByRoot(int root) => _retained[Tree.RootVertex(root)];

    /// <summary>Computes retained sizes and their per-type totals.</summary>
    public static RetainedSizes Compute(DominatorTree tree)
    {
        ArgumentNullException.ThrowIfNull(tree);
        var graph = tree.Graph;
        int n = graph.NodeCount;
        int vertexCount = tree.VertexCount;
        NodeSizes sizes = graph.Sizes;
        ReadOnlySpan<int> order = tree.PreOrder;

        var retained = new long[vertexCount];
        for (int i = order.Length - 1; i >= 1; i--)
        {
            int v = order[i];
            if (v < n)
            {
                retained[v] += sizes[v];
            }

            retained[tree.ImmediateDominator(v)] += retained[v];
        }

        var (byType, topInstances) = SumTopInstances(tree, retained);
        return new RetainedSizes(tree, retained, byType, topInstances);
    }

    /// <summary>
    /// Walks the dominator tree depth first (explicit stack) keeping, per type, how many instances are on the
    /// current path from the super-root: an instance entered while its type's count is 0 is a top instance.
    /// </summary>
    private static (long[] ByType, long[] TopInstances) SumTopInstances(DominatorTree tree, long[] retained)
    {
        var graph = tree.Graph;
        int n = graph.NodeCount;
        int vertexCount = tree.VertexCount;
        ReadOnlySpan<int> types = graph.TypeIndices;
        ReadOnlySpan<int> order = tree.PreOrder;

        // Children of each vertex in the dominator tree, CSR; transients outside the GC heap (NativeBuffer).
        using var firstChildBuffer = new NativeBuffer<int>(vertexCount + 1, zeroed: true);
        using var childrenBuffer = new NativeBuffer<int>(order.Length);
        Span<int> firstChild = firstChildBuffer.Span;
        Span<int> children = childrenBuffer.Span;
        for (int i = 1; i < order.Length; i++)
        {
            firstChild[tree.ImmediateDominator(order[i]) + 1]++;
        }

        for (int v = 0; v < vertexCount; v++)
        {
            firstChild[v + 1] += firstChild[v];
        }

        using (var fillBuffer = new NativeBuffer<int>(vertexCount, zeroed: true))
        {
            Span<int> fill = fillBuffer.Span;
            for (int i = 1; i < order.Length; i++)
            {
                int d = tree.ImmediateDominator(order[i]);
                children[firstChild[d] + fill[d]++] = order[i];
            }
        }

        var byType = new long[graph.TypeCount];
        var top = new long[graph.TypeCount];
        var onPath = new int[graph.TypeCount];

        // An entry v >= 0 enters v; an entry ~v leaves it. Each vertex is pushed once and its exit once.
        using var stackBuffer = new NativeBuffer<int>(2 * order.Length);
        Span<int> stack = stackBuffer.Span;
        int depth = 0;
        stack[depth++] = tree.SuperRoot;
        while (depth > 0)
        {
            int entry = stack[--depth];
            if (entry < 0)
            {
                int left = ~entry;
                if (left < n)
                {
                    onPath[types[left]]--;
                }

                continue;
            }

            if (entry < n)
            {
                int t = types[entry];
                if (onPath[t]++ == 0)
                {
                    byType[t] += retained[entry];
                    top[t]++;
                }
            }

            stack[depth++] = ~entry;
            for (int c = firstChild[entry]; c < firstChild[entry + 1]; c++)
            {
                stack[depth++] = children[c];
            }
        }

        return (byType, top);
    }
}
