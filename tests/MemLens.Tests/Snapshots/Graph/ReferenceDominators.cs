namespace MemLens.Tests.Snapshots.Graph;

/// <summary>
/// The definitions, computed the slow and obvious way on a small graph: a vertex d dominates v when v cannot be
/// reached from the super-root once d is removed; a vertex retains what becomes unreachable once it is removed.
/// Vertices are numbered like <c>DominatorTree</c>'s: nodes, then one per root entry, then the super-root.
/// </summary>
internal sealed class ReferenceDominators
{
    private readonly List<int>[] _successors;
    private readonly long[] _sizes;

    /// <param name="sizes">Each node's size.</param>
    /// <param name="edges">References between node indices.</param>
    /// <param name="roots">The node each root entry holds.</param>
    public ReferenceDominators(long[] sizes, IEnumerable<(int From, int To)> edges, int[] roots)
    {
        int n = sizes.Length;
        VertexCount = n + roots.Length + 1;
        SuperRoot = VertexCount - 1;
        _sizes = new long[VertexCount];
        sizes.CopyTo(_sizes, 0);
        _successors = Enumerable.Range(0, VertexCount).Select(_ => new List<int>()).ToArray();
        foreach (var (from, to) in edges)
        {
            _successors[from].Add(to);
        }

        for (int r = 0; r < roots.Length; r++)
        {
            _successors[SuperRoot].Add(n + r);
            _successors[n + r].Add(roots[r]);
        }
    }

    public int VertexCount { get; }

    public int SuperRoot { get; }

    /// <summary>Vertices reached from the super-root when <paramref name="removed"/> (or nothing, -1) is taken out.</summary>
    public bool[] Reachable(int removed = -1)
    {
        var seen = new bool[VertexCount];
        if (removed == SuperRoot)
        {
            return seen;
        }

        var queue = new Queue<int>();
        seen[SuperRoot] = true;
        queue.Enqueue(SuperRoot);
        while (queue.Count > 0)
        {
            foreach (int w in _successors[queue.Dequeue()])
            {
                if (w != removed && !seen[w])
                {
                    seen[w] = true;
                    queue.Enqueue(w);
                }
            }
        }

        return seen;
    }

    /// <summary>Whether d dominates v (every vertex dominates itself; nothing dominates an unreachable vertex).</summary>
    public bool Dominates(int d, int v) => Reachable()[v] && (d == v || !Reachable(d)[v]);

    /// <summary>The strict dominators of v, the super-root included; empty when v is unreachable.</summary>
    public HashSet<int> StrictDominators(int v)
    {
        var all = Reachable();
        var set = new HashSet<int>();
        if (!all[v] || v == SuperRoot)
        {
            return set;
        }

        for (int d = 0; d < VertexCount; d++)
        {
            if (d != v && !Reachable(d)[v])
            {
                set.Add(d);
            }
        }

        return set;
    }

    /// <summary>Sum of the sizes of the vertices that become unreachable when v is removed, v included.</summary>
    public long Retained(int v)
    {
        var before = Reachable();
        if (!before[v])
        {
            return 0;
        }

        var after = Reachable(v);
        long sum = 0;
        for (int u = 0; u < VertexCount; u++)
        {
            if (before[u] && !after[u])
            {
                sum += _sizes[u];
            }
        }

        return sum;
    }
}
