namespace MemLens.Snapshots.Graph;

/// <summary>
/// A heap's object graph as arrays, one slot per object and no object per node, so a 10 M-object heap costs
/// tens of bytes per object instead of the hundreds an object-per-node graph would. Node <c>i</c> is the object
/// at <see cref="Addresses"/>[i] (addresses ascend, so <see cref="IndexOf"/> is a binary search); its references
/// are <see cref="EdgeTargets"/>[<see cref="FirstEdge"/>[i] .. <see cref="FirstEdge"/>[i + 1]) (CSR form).
/// Built by <see cref="HeapGraphBuilder"/>, which also counts what it had to drop.
/// </summary>
public sealed class HeapGraph
{
    private ulong[]? _addresses;
    private readonly uint[] _sizes;
    private readonly IReadOnlyDictionary<int, long>? _largeSizes;
    private readonly int[] _types;
    private readonly int[] _firstEdge;
    private readonly int[] _edgeTargets;
    private readonly int[] _rootNodes;
    private readonly HeapRootKind[] _rootKinds;
    private readonly int[] _rootNames;

    internal HeapGraph(
        int nodeCount, ulong[] addresses, uint[] sizes, IReadOnlyDictionary<int, long>? largeSizes, int[] types, int typeCount,
        int[] firstEdge, int[] edgeTargets, int edgeCount,
        int[] rootNodes, HeapRootKind[] rootKinds, int[] rootNames, int rootCount,
        HeapGraphLosses losses)
    {
        NodeCount = nodeCount;
        _addresses = addresses;
        _sizes = sizes;
        _largeSizes = largeSizes;
        _types = types;
        TypeCount = typeCount;
        _firstEdge = firstEdge;
        _edgeTargets = edgeTargets;
        EdgeCount = edgeCount;
        _rootNodes = rootNodes;
        _rootKinds = rootKinds;
        _rootNames = rootNames;
        RootCount = rootCount;
        Losses = losses;
    }

    /// <summary>Number of objects (nodes).</summary>
    public int NodeCount { get; }

    /// <summary>Number of references kept (edges whose both ends are known objects).</summary>
    public int EdgeCount { get; }

    /// <summary>Number of root entries; several entries may name the same node.</summary>
    public int RootCount { get; }

    /// <summary>One more than the highest type index of any node (0 for an empty graph).</summary>
    public int TypeCount { get; }

    /// <summary>What the builder dropped: over-limit nodes, edges and roots, and references to unknown addresses.</summary>
    public HeapGraphLosses Losses { get; }

    /// <summary>What became of the static field slots given to the builder (all 0 when none were given).</summary>
    public StaticSlotFolding Statics { get; init; }

    /// <summary>Each node's address, ascending. Empty after <see cref="ReleaseAddresses"/>.</summary>
    public ReadOnlySpan<ulong> Addresses => _addresses is null ? [] : _addresses.AsSpan(0, NodeCount);

    /// <summary>Whether <see cref="Addresses"/> and <see cref="IndexOf"/> are still available (see <see cref="ReleaseAddresses"/>).</summary>
    public bool HasAddresses => _addresses is not null;

    /// <summary>Each node's own (shallow) size in bytes (4 bytes per node, see <see cref="NodeSizes"/>).</summary>
    public NodeSizes Sizes => new(_sizes, NodeCount, _largeSizes);

    /// <summary>Each node's type index, in the caller's type table.</summary>
    public ReadOnlySpan<int> TypeIndices => _types.AsSpan(0, NodeCount);

    /// <summary>CSR offsets: node i's edges are EdgeTargets[FirstEdge[i] .. FirstEdge[i + 1]); length NodeCount + 1.</summary>
    public ReadOnlySpan<int> FirstEdge => _firstEdge.AsSpan(0, NodeCount + 1);

    /// <summary>Edge targets (node indices), grouped by source node.</summary>
    public ReadOnlySpan<int> EdgeTargets => _edgeTargets.AsSpan(0, EdgeCount);

    /// <summary>The node each root entry holds.</summary>
    public ReadOnlySpan<int> RootNodes => _rootNodes.AsSpan(0, RootCount);

    /// <summary>Each root entry's kind.</summary>
    public ReadOnlySpan<HeapRootKind> RootKinds => _rootKinds.AsSpan(0, RootCount);

    /// <summary>Each root entry's name index in the caller's name table, or -1 when the root has no name.</summary>
    public ReadOnlySpan<int> RootNames => _rootNames.AsSpan(0, RootCount);

    /// <summary>The references of one node, as node indices.</summary>
    public ReadOnlySpan<int> Successors(int node) => _edgeTargets.AsSpan(_firstEdge[node], _firstEdge[node + 1] - _firstEdge[node]);

    /// <summary>The node at an address, or -1 when no object starts there.</summary>
    /// <exception cref="InvalidOperationException">The addresses were released.</exception>
    public int IndexOf(ulong address)
    {
        if (_addresses is null)
        {
            throw new InvalidOperationException("The graph's addresses were released.");
        }

        int i = Addresses.BinarySearch(address);
        return i >= 0 ? i : -1;
    }

    /// <summary>
    /// Drops the node addresses (8 bytes per node): the analysis (dominators, retained sizes, retention tree) works on
    /// node indices only, so a caller that will not look nodes up by address releases them before it, lowering the
    /// analysis's peak. Afterwards <see cref="Addresses"/> is empty and <see cref="IndexOf"/> throws.
    /// </summary>
    public void ReleaseAddresses() => _addresses = null;
}
