namespace MemLens.Snapshots.Graph;

/// <summary>
/// Collects a heap walk as it arrives — nodes by address in any order, each node's references after it, roots
/// whenever — and turns it into a <see cref="HeapGraph"/>. Storage is bounded by MaxNodes / MaxEdges / MaxRoots:
/// beyond them items are counted and refused (<see cref="HeapGraph.Losses"/>), never grown into.
/// </summary>
/// <remarks>
/// Memory: the walk delivers a node's edges right after the node, so an edge whose source is the node just added
/// is stored as that node's arrival number (4 bytes) plus the target address (8 bytes); any other edge keeps its
/// source address on a side list that is resolved at build time. Build sorts the addresses once (index = rank) and
/// resolves references through an <see cref="AddressIndex"/> over that sorted array: an address → index map with
/// no object per node, dropped once the edges are resolved.
/// </remarks>
public sealed class HeapGraphBuilder
{
    private const int OtherSource = -1;

    private ChunkedArray<ulong> _addresses;
    private ChunkedArray<long> _sizes;
    private ChunkedArray<int> _types;
    private ChunkedArray<int> _edgeSources;   // arrival number of the source, or OtherSource
    private ChunkedArray<ulong> _edgeTargets;  // target address
    private readonly List<(int Edge, ulong Source)> _otherSources = [];
    private ChunkedArray<ulong> _rootAddresses;
    private ChunkedArray<HeapRootKind> _rootKinds;
    private ChunkedArray<int> _rootNames;
    private ulong _lastAddress;
    private long _nodesOverLimit;
    private long _edgesOverLimit;
    private long _rootsOverLimit;
    private bool _built;

    /// <param name="maxNodes">Most nodes kept. Default: 20,000,000 (twice the runtime's own 10 M-object walk cap).</param>
    /// <param name="maxEdges">Most edges kept. Default: 60,000,000.</param>
    /// <param name="maxRoots">Most root entries kept. Default: 4,000,000.</param>
    public HeapGraphBuilder(int maxNodes = 20_000_000, int maxEdges = 60_000_000, int maxRoots = 4_000_000)
    {
        _addresses = new(maxNodes);
        _sizes = new(maxNodes);
        _types = new(maxNodes);
        _edgeSources = new(maxEdges);
        _edgeTargets = new(maxEdges);
        _rootAddresses = new(maxRoots);
        _rootKinds = new(maxRoots);
        _rootNames = new(maxRoots);
    }

    /// <summary>Nodes added so far (duplicates included; they are dropped at build).</summary>
    public int NodeCount => _addresses.Count;

    /// <summary>Edges added so far.</summary>
    public int EdgeCount => _edgeTargets.Count;

    /// <summary>Adds an object. Returns false (and counts it) when MaxNodes is reached.</summary>
    /// <param name="address">Where the object starts.</param>
    /// <param name="size">Its own size in bytes.</param>
    /// <param name="typeIndex">Its type in the caller's type table (0 or more).</param>
    public bool AddNode(ulong address, long size, int typeIndex)
    {
        ThrowIfBuilt();
        ArgumentOutOfRangeException.ThrowIfNegative(typeIndex);
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        if (!_addresses.TryAdd(address))
        {
            _nodesOverLimit++;
            return false;
        }

        _sizes.TryAdd(size);
        _types.TryAdd(typeIndex);
        _lastAddress = address;
        return true;
    }

    /// <summary>Adds a reference from one object to another. Returns false (and counts it) when MaxEdges is reached.</summary>
    public bool AddEdge(ulong from, ulong to)
    {
        ThrowIfBuilt();
        if (_edgeTargets.Count >= _edgeTargets.Limit)
        {
            _edgesOverLimit++;
            return false;
        }

        bool fromLast = _addresses.Count > 0 && from == _lastAddress;
        _edgeSources.TryAdd(fromLast ? _addresses.Count - 1 : OtherSource);
        if (!fromLast)
        {
            _otherSources.Add((_edgeTargets.Count, from));
        }

        _edgeTargets.TryAdd(to);
        return true;
    }

    /// <summary>Adds a root entry. Returns false (and counts it) when MaxRoots is reached.</summary>
    /// <param name="address">The object the root holds.</param>
    /// <param name="kind">What the root is.</param>
    /// <param name="nameIndex">The root's name in the caller's name table, or -1.</param>
    public bool AddRoot(ulong address, HeapRootKind kind, int nameIndex = -1)
    {
        ThrowIfBuilt();
        ArgumentOutOfRangeException.ThrowIfLessThan(nameIndex, -1);
        if (!_rootAddresses.TryAdd(address))
        {
            _rootsOverLimit++;
            return false;
        }

        _rootKinds.TryAdd(kind);
        _rootNames.TryAdd(nameIndex);
        return true;
    }

    /// <summary>Builds the graph. The builder gives its arrays to the graph and cannot be used afterwards.</summary>
    public HeapGraph Build()
    {
        ThrowIfBuilt();
        _built = true;
        int arrived = _addresses.Count;
        ulong[] addresses = _addresses.MoveToArray();
        _addresses = default;

        // Sort addresses, carrying each one's arrival number, then drop duplicates: rank = node index.
        var arrival = new int[arrived];
        for (int i = 0; i < arrived; i++)
        {
            arrival[i] = i;
        }

        Array.Sort(addresses, arrival, 0, arrived);
        var rankOfArrival = new int[arrived]; // a dropped duplicate maps to the kept node at its address
        long duplicates = 0;
        int n = 0;
        for (int i = 0; i < arrived; i++)
        {
            if (n > 0 && addresses[n - 1] == addresses[i])
            {
                duplicates++;
                rankOfArrival[arrival[i]] = n - 1;
                continue;
            }

            rankOfArrival[arrival[i]] = n;
            addresses[n] = addresses[i];
            arrival[n] = arrival[i];
            n++;
        }

        var sizes = new long[n];
        var types = new int[n];
        int typeCount = 0;
        for (int rank = 0; rank < n; rank++)
        {
            sizes[rank] = _sizes[arrival[rank]];
            types[rank] = _types[arrival[rank]];
            typeCount = Math.Max(typeCount, types[rank] + 1);
        }

        arrival = null!;
        _sizes = default;
        _types = default;

        // Sources to ranks (-1: unknown), then targets; an edge with either end unknown is dangling.
        int edgesIn = _edgeTargets.Count;
        for (int e = 0; e < edgesIn; e++)
        {
            ref int source = ref _edgeSources[e];
            if (source != OtherSource)
            {
                source = rankOfArrival[source];
            }
        }

        rankOfArrival = null!;
        var index = new AddressIndex(addresses, n);
        foreach (var (edge, source) in _otherSources)
        {
            _edgeSources[edge] = index.Find(source);
        }

        _otherSources.Clear();
        _otherSources.TrimExcess();

        // Each resolved target overwrites its own address: no second edge-sized array.
        var firstEdge = new int[n + 1];
        long dangling = 0;
        for (int e = 0; e < edgesIn; e++)
        {
            ref int source = ref _edgeSources[e];
            ref ulong target = ref _edgeTargets[e];
            int to = source < 0 ? -1 : index.Find(target);
            if (to < 0)
            {
                dangling++;
                source = -1;
                continue;
            }

            target = (ulong)to;
            firstEdge[source + 1]++;
        }

        for (int i = 0; i < n; i++)
        {
            firstEdge[i + 1] += firstEdge[i];
        }

        // Counting sort by source, walking edges backwards so each node keeps its edges in arrival order:
        // firstEdge[s + 1] counts down from the end of s's run to its start, then everything shifts left by one.
        int kept = firstEdge[n];
        var edgeTargets = new int[kept];
        for (int e = edgesIn - 1; e >= 0; e--)
        {
            int source = _edgeSources[e];
            if (source >= 0)
            {
                edgeTargets[--firstEdge[source + 1]] = (int)_edgeTargets[e];
            }
        }

        Array.Copy(firstEdge, 1, firstEdge, 0, n);
        firstEdge[n] = kept;
        _edgeSources = default;
        _edgeTargets = default;

        // Roots: keep those that name a known node.
        int rootsIn = _rootAddresses.Count;
        var rootNodes = new int[rootsIn];
        var rootKinds = new HeapRootKind[rootsIn];
        var rootNames = new int[rootsIn];
        int roots = 0;
        for (int r = 0; r < rootsIn; r++)
        {
            int node = index.Find(_rootAddresses[r]);
            if (node < 0)
            {
                continue;
            }

            rootNodes[roots] = node;
            rootKinds[roots] = _rootKinds[r];
            rootNames[roots] = _rootNames[r];
            roots++;
        }

        var losses = new HeapGraphLosses(_nodesOverLimit, _edgesOverLimit, _rootsOverLimit, duplicates, dangling, rootsIn - roots);
        _rootAddresses = default;
        _rootKinds = default;
        _rootNames = default;
        return new HeapGraph(n, addresses, sizes, types, typeCount, firstEdge, edgeTargets, kept, rootNodes, rootKinds, rootNames, roots, losses);
    }

    private void ThrowIfBuilt()
    {
        if (_built)
        {
            throw new InvalidOperationException("The graph was already built from this builder.");
        }
    }
}
