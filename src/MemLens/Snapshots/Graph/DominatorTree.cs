namespace MemLens.Snapshots.Graph;

/// <summary>
/// Immediate dominators of a <see cref="HeapGraph"/> seen from a virtual super-root. Vertices: heap node i is
/// vertex i; root entry r is vertex <c>NodeCount + r</c> (a pseudo-node between the super-root and the node it
/// holds, so "what would this root alone free" is an ordinary retained size and a path can start at a named root);
/// the super-root is vertex <see cref="SuperRoot"/>. A vertex the super-root does not reach has no dominator:
/// <see cref="ImmediateDominator"/> returns <see cref="None"/> for it (and for the super-root).
/// </summary>
/// <remarks>
/// Algorithm: semi-NCA (Georgiadis' SNCA, the variant LLVM uses): Lengauer–Tarjan's semidominators with path
/// compression, then immediate dominators by walking each vertex's dominator-candidate chain up to its
/// semidominator. Chosen over Cooper–Harvey–Kennedy because CHK's fixpoint may need many passes over 10 M nodes
/// on heap shapes (long chains reached late, cross links) and its intersect walks are unbounded in the worst case,
/// while SNCA does one DFS and one reverse pass; and over full Lengauer–Tarjan because it needs no buckets. Every
/// step is a loop over arrays with an explicit stack (the DFS and the path compression both), so a 10 M-node chain
/// cannot overflow the call stack. Memory while computing: about 7 ints per vertex plus predecessor lists (one int
/// per edge), arrays reused between steps where they can be, all outside the GC heap and freed when their step ends
/// (<see cref="NativeBuffer{T}"/>); kept afterwards: the dominators and the DFS order (two ints per vertex).
/// </remarks>
public sealed class DominatorTree
{
    /// <summary>Returned for a vertex that has no immediate dominator: unreachable, or the super-root itself.</summary>
    public const int None = -1;

    private readonly int[] _idom;   // by vertex
    private readonly int[] _order;  // reachable vertices in DFS preorder; _order[0] is the super-root

    private DominatorTree(HeapGraph graph, int[] idom, int[] order, int reachable)
    {
        Graph = graph;
        _idom = idom;
        _order = order;
        ReachableCount = reachable;
    }

    /// <summary>The graph analysed.</summary>
    public HeapGraph Graph { get; }

    /// <summary>Heap nodes, then one vertex per root entry, then the super-root.</summary>
    public int VertexCount => Graph.NodeCount + Graph.RootCount + 1;

    /// <summary>The virtual super-root whose children are the root entries.</summary>
    public int SuperRoot => Graph.NodeCount + Graph.RootCount;

    /// <summary>Vertices the super-root reaches, itself included.</summary>
    public int ReachableCount { get; }

    /// <summary>Reachable vertices in DFS preorder from the super-root: every vertex comes after its dominators.</summary>
    public ReadOnlySpan<int> PreOrder => _order.AsSpan(0, ReachableCount);

    /// <summary>True for a root-entry vertex.</summary>
    public bool IsRoot(int vertex) => vertex >= Graph.NodeCount && vertex < SuperRoot;

    /// <summary>The root entry index of a root vertex.</summary>
    public int RootIndex(int vertex) => vertex - Graph.NodeCount;

    /// <summary>The vertex of root entry <paramref name="root"/>.</summary>
    public int RootVertex(int root) => Graph.NodeCount + root;

    /// <summary>The immediate dominator of a vertex, or <see cref="None"/> when it is unreachable or the super-root.</summary>
    public int ImmediateDominator(int vertex) => _idom[vertex];

    /// <summary>True when the super-root reaches the vertex.</summary>
    public bool IsReachable(int vertex) => vertex == SuperRoot || _idom[vertex] != None;

    /// <summary>
    /// The retention path of a vertex: its chain of dominators from the top down, ending with the vertex. It starts
    /// with a root vertex when one root entry alone holds it, or with the highest heap node below the super-root when
    /// several roots share it. The super-root is never listed. Empty when the vertex is unreachable. Bounded by
    /// <paramref name="maxLength"/>: the vertex and its nearest dominators are kept when the chain is longer.
    /// </summary>
    public int[] RetentionPath(int vertex, int maxLength = 1024)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLength, 1);
        if (vertex == SuperRoot || _idom[vertex] == None)
        {
            return [];
        }

        var path = new List<int>();
        for (int v = vertex; v != SuperRoot && path.Count < maxLength; v = _idom[v])
        {
            path.Add(v);
        }

        path.Reverse();
        return [.. path];
    }

    /// <summary>Computes the dominator tree of <paramref name="graph"/>.</summary>
    public static DominatorTree Compute(HeapGraph graph)
    {
        ArgumentNullException.ThrowIfNull(graph);
        int n = graph.NodeCount;
        int rootCount = graph.RootCount;
        int vertexCount = n + rootCount + 1;
        var vertexOf = new int[vertexCount]; // kept: the preorder
        int count;

        // Transients live outside the GC heap and are freed as soon as their step ends (NativeBuffer): the peak is
        // what is alive at once, not what the GC has yet to collect.
        using var stackBuffer = new NativeBuffer<int>(vertexCount);
        using var cursorBuffer = new NativeBuffer<int>(vertexCount);
        using var parentBuffer = new NativeBuffer<int>(vertexCount);
        NativeBuffer<int> firstPredBuffer;
        NativeBuffer<int> predsBuffer;
        using (var numberBuffer = new NativeBuffer<int>(vertexCount))
        {
            count = Search(graph, numberBuffer.Span, vertexOf, parentBuffer.Span, stackBuffer.Span, cursorBuffer.Span);
            (firstPredBuffer, predsBuffer) = Predecessors(graph, numberBuffer.Span, cursorBuffer.Span);
        }

        // 3. Semidominators in reverse preorder. ancestor[] starts as the DFS parent and is compressed by Eval;
        //    vertices numbered >= i + 1 are the linked ones. idomNum[] keeps the untouched DFS parent for step 4.
        using var idomNumBuffer = new NativeBuffer<int>(count);
        Span<int> semi = cursorBuffer.Span; // reused: the predecessor lists are done
        Span<int> idomNum = idomNumBuffer.Span;
        using (firstPredBuffer)
        using (predsBuffer)
        using (var labelBuffer = new NativeBuffer<int>(count))
        {
            Span<int> ancestor = parentBuffer.Span;
            Span<int> label = labelBuffer.Span;
            Span<int> path = stackBuffer.Span; // reused: the DFS is over
            ReadOnlySpan<int> firstPred = firstPredBuffer.Span;
            ReadOnlySpan<int> preds = predsBuffer.Span;
            for (int i = 0; i < count; i++)
            {
                semi[i] = i;
                label[i] = i;
                idomNum[i] = ancestor[i];
            }

            for (int i = count - 1; i >= 1; i--)
            {
                int w = vertexOf[i];
                int s = idomNum[i];
                if (w < n)
                {
                    for (int p = firstPred[w]; p < firstPred[w + 1]; p++)
                    {
                        int u = Eval(preds[p], i + 1, ancestor, label, semi, path);
                        if (semi[u] < s)
                        {
                            s = semi[u];
                        }
                    }
                }

                semi[i] = s;
            }
        }

        // 4. Immediate dominators in preorder: the nearest candidate on the dominator chain not below the semidominator.
        for (int i = 1; i < count; i++)
        {
            int c = idomNum[i];
            while (c > semi[i])
            {
                c = idomNum[c];
            }

            idomNum[i] = c;
        }

        var idom = new int[vertexCount];
        Array.Fill(idom, None);
        for (int i = 1; i < count; i++)
        {
            idom[vertexOf[i]] = vertexOf[idomNum[i]];
        }

        return new DominatorTree(graph, idom, vertexOf, count);
    }

    /// <summary>
    /// 1. Iterative DFS from the super-root: number[] by vertex (-1 unreached), vertexOf[] by number, parent[] by
    /// number. The explicit stack holds a vertex number and the index of its next successor. Returns how many
    /// vertices were reached.
    /// </summary>
    private static int Search(HeapGraph graph, Span<int> number, int[] vertexOf, Span<int> parent, Span<int> stack, Span<int> cursor)
    {
        int n = graph.NodeCount;
        int rootCount = graph.RootCount;
        int superRoot = n + rootCount;
        ReadOnlySpan<int> firstEdge = graph.FirstEdge;
        ReadOnlySpan<int> edgeTargets = graph.EdgeTargets;
        ReadOnlySpan<int> rootNodes = graph.RootNodes;
        number.Fill(-1);
        number[superRoot] = 0;
        vertexOf[0] = superRoot;
        parent[0] = 0;
        int count = 1;
        int depth = 0;
        stack[0] = 0;
        cursor[0] = 0;
        while (depth >= 0)
        {
            int vNum = stack[depth];
            int v = vertexOf[vNum];
            int next = -1;
            while (next < 0)
            {
                int c = cursor[depth];
                int succ;
                if (v < n)
                {
                    int at = firstEdge[v] + c;
                    if (at >= firstEdge[v + 1])
                    {
                        break;
                    }

                    succ = edgeTargets[at];
                }
                else if (v < superRoot)
                {
                    if (c > 0)
                    {
                        break;
                    }

                    succ = rootNodes[v - n];
                }
                else
                {
                    if (c >= rootCount)
                    {
                        break;
                    }

                    succ = n + c;
                }

                cursor[depth] = c + 1;
                if (number[succ] < 0)
                {
                    next = succ;
                }
            }

            if (next < 0)
            {
                depth--;
                continue;
            }

            number[next] = count;
            vertexOf[count] = next;
            parent[count] = vNum;
            depth++;
            stack[depth] = count;
            cursor[depth] = 0;
            count++;
        }

        return count;
    }

    /// <summary>
    /// 2. Predecessor lists (CSR by heap node) of reached vertices, holding the predecessors' DFS numbers so the
    /// numbering by vertex can be freed before the semidominators: heap edges, and each root vertex for its node.
    /// The super-root is the only predecessor of a root vertex and is handled directly.
    /// </summary>
    private static (NativeBuffer<int> FirstPred, NativeBuffer<int> Preds) Predecessors(HeapGraph graph, ReadOnlySpan<int> number, Span<int> fill)
    {
        int n = graph.NodeCount;
        int rootCount = graph.RootCount;
        ReadOnlySpan<int> firstEdge = graph.FirstEdge;
        ReadOnlySpan<int> edgeTargets = graph.EdgeTargets;
        ReadOnlySpan<int> rootNodes = graph.RootNodes;
        var firstPredBuffer = new NativeBuffer<int>(n + 1, zeroed: true);
        Span<int> firstPred = firstPredBuffer.Span;
        for (int v = 0; v < n; v++)
        {
            if (number[v] < 0)
            {
                continue;
            }

            for (int e = firstEdge[v]; e < firstEdge[v + 1]; e++)
            {
                firstPred[edgeTargets[e] + 1]++;
            }
        }

        for (int r = 0; r < rootCount; r++)
        {
            firstPred[rootNodes[r] + 1]++;
        }

        for (int v = 0; v < n; v++)
        {
            firstPred[v + 1] += firstPred[v];
        }

        var predsBuffer = new NativeBuffer<int>(firstPred[n]);
        Span<int> preds = predsBuffer.Span;
        fill[..n].Clear();
        for (int v = 0; v < n; v++)
        {
            int from = number[v];
            if (from < 0)
            {
                continue;
            }

            for (int e = firstEdge[v]; e < firstEdge[v + 1]; e++)
            {
                int t = edgeTargets[e];
                preds[firstPred[t] + fill[t]++] = from;
            }
        }

        for (int r = 0; r < rootCount; r++)
        {
            int t = rootNodes[r];
            preds[firstPred[t] + fill[t]++] = number[n + r];
        }

        return (firstPredBuffer, predsBuffer);
    }

    /// <summary>
    /// Lengauer–Tarjan's EVAL with path compression, iterative: the vertex of least semidominator on the forest
    /// path above <paramref name="v"/> (linked vertices are those numbered at least <paramref name="lastLinked"/>).
    /// </summary>
    private static int Eval(int v, int lastLinked, Span<int> ancestor, Span<int> label, Span<int> semi, Span<int> path)
    {
        if (ancestor[v] < lastLinked)
        {
            return label[v];
        }

        int top = 0;
        int x = v;
        do
        {
            path[top++] = x;
            x = ancestor[x];
        }
        while (ancestor[x] >= lastLinked);

        // x is the highest linked vertex on the path; compress everything below it onto x's ancestor.
        int p = x;
        int pLabel = label[x];
        while (top > 0)
        {
            int y = path[--top];
            ancestor[y] = ancestor[p];
            if (semi[pLabel] < semi[label[y]])
            {
                label[y] = pLabel;
            }
            else
            {
                pLabel = label[y];
            }

            p = y;
        }

        return label[v];
    }
}
