namespace MemLens.Snapshots.Graph;

/// <summary>
/// Collects a heap walk as it arrives — nodes by address in any order, their references as one sequence in node
/// order, roots whenever — and turns it into a <see cref="HeapGraph"/>. Storage is bounded by MaxNodes / MaxEdges /
/// MaxRoots: beyond them items are counted and refused (<see cref="HeapGraph.Losses"/>), never grown into.
/// </summary>
/// <remarks>
/// <para>
/// The runtime's heap walk sends each object with the number of references it has (GCBulkNode's EdgeCount) and,
/// separately, all references as one sequence of targets (GCBulkEdge) without their source: node i's EdgeCount
/// targets follow node i − 1's. <see cref="AddNode"/> takes that count and <see cref="AddEdgeTarget"/> the
/// targets, so a reference costs its target address (8 bytes) while the walk is read and no source at all; the
/// sources are implied by the running counts at build time. References whose source is not implied that way (a
/// ConditionalWeakTable's key → value) go through <see cref="AddEdge"/>, which keeps both addresses (16 bytes).
/// </para>
/// <para>
/// Build sorts the addresses once (index = rank) and resolves references through an <see cref="AddressIndex"/>
/// over that sorted array: an address → index map with no object per node, dropped once the edges are resolved.
/// Static field slots given with <see cref="AddStaticSlot"/> are folded in at build: see <see cref="StaticSlotFolding"/>.
/// </para>
/// </remarks>
public sealed class HeapGraphBuilder
{
    private const ulong Unresolved = ulong.MaxValue;

    private ChunkedArray<ulong> _addresses;
    private ChunkedArray<uint> _sizes;        // NodeSizes.InSideTable: in _largeSizes
    private readonly Dictionary<int, long> _largeSizes = []; // by arrival: sizes of 4 GiB and more, at most one per node
    private ChunkedArray<int> _types;
    private ChunkedArray<int> _edgeCounts;     // per node, in arrival order: how many of the implied edges are its
    private ChunkedArray<ulong> _edgeTargets;  // implied edges: target address, sources implied by _edgeCounts
    private ChunkedArray<ulong> _extraSources; // explicit edges (AddEdge)
    private ChunkedArray<ulong> _extraTargets;
    private ChunkedArray<ulong> _rootAddresses;
    private ChunkedArray<HeapRootKind> _rootKinds;
    private ChunkedArray<int> _rootNames;
    private ChunkedArray<ulong> _slotAddresses;
    private ChunkedArray<ulong> _slotValues;
    private ChunkedArray<int> _slotNames;
    private ChunkedArray<HeapRootKind> _slotKinds;
    private readonly int _maxEdges;
    private long _announcedEdges; // sum of the kept nodes' edge counts
    private long _nodesOverLimit;
    private long _edgesOverLimit;
    private long _rootsOverLimit;
    private long _announcedRefused; // announced positions refused by MaxEdges: lost, but not "missing"
    private bool _built;

    /// <param name="maxNodes">Most nodes kept. Default: 20,000,000 (twice the runtime's own 10 M-object walk cap).</param>
    /// <param name="maxEdges">Most edges kept (implied and explicit together). Default: 60,000,000.</param>
    /// <param name="maxRoots">Most root entries kept, and separately most static slots. Default: 4,000,000.</param>
    public HeapGraphBuilder(int maxNodes = 20_000_000, int maxEdges = 60_000_000, int maxRoots = 4_000_000)
    {
        _addresses = new(maxNodes);
        _sizes = new(maxNodes);
        _types = new(maxNodes);
        _edgeCounts = new(maxNodes);
        _edgeTargets = new(maxEdges);
        _extraSources = new(maxEdges);
        _extraTargets = new(maxEdges);
        _maxEdges = maxEdges;
        _rootAddresses = new(maxRoots);
        _rootKinds = new(maxRoots);
        _rootNames = new(maxRoots);
        _slotAddresses = new(maxRoots);
        _slotValues = new(maxRoots);
        _slotNames = new(maxRoots);
        _slotKinds = new(maxRoots);
    }

    /// <summary>Nodes added so far (duplicates included; they are dropped at build).</summary>
    public int NodeCount => _addresses.Count;

    /// <summary>Edges added so far (implied and explicit).</summary>
    public int EdgeCount => _edgeTargets.Count + _extraTargets.Count;

    /// <summary>Adds an object. Returns false (and counts it) when MaxNodes is reached.</summary>
    /// <param name="address">Where the object starts.</param>
    /// <param name="size">Its own size in bytes.</param>
    /// <param name="typeIndex">Its type in the caller's type table (0 or more).</param>
    /// <param name="edgeCount">
    /// How many of the targets given to <see cref="AddEdgeTarget"/> are this node's references: the next ones after
    /// those of the nodes added before it.
    /// </param>
    public bool AddNode(ulong address, long size, int typeIndex, int edgeCount = 0)
    {
        ThrowIfBuilt();
        ArgumentOutOfRangeException.ThrowIfNegative(typeIndex);
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        ArgumentOutOfRangeException.ThrowIfNegative(edgeCount);
        if (!_addresses.TryAdd(address))
        {
            _nodesOverLimit++;
            return false;
        }

        if (size >= NodeSizes.InSideTable)
        {
            _largeSizes[_addresses.Count - 1] = size;
        }

        _sizes.TryAdd((uint)Math.Min(size, NodeSizes.InSideTable));
        _types.TryAdd(typeIndex);
        _edgeCounts.TryAdd(edgeCount);
        _announcedEdges += edgeCount;
        return true;
    }

    /// <summary>
    /// Adds the next reference of the walk's edge sequence: its source is the node whose announced edge count covers
    /// this position (see <see cref="AddNode"/>), which may be added before or after. Returns false (and counts it)
    /// when MaxEdges is reached.
    /// </summary>
    public bool AddEdgeTarget(ulong target)
    {
        ThrowIfBuilt();
        // Not checked against the counts announced so far: the walk may send a block of references before the block
        // of nodes they belong to. Targets beyond every announced count are counted at build (SurplusEdges).
        if (EdgeCount >= _maxEdges || !_edgeTargets.TryAdd(target))
        {
            // Counted as a position of the sequence, so the nodes before it keep their own targets.
            _edgesOverLimit++;
            _announcedRefused++;
            return false;
        }

        return true;
    }

    /// <summary>
    /// Adds a reference whose source is given explicitly (16 bytes kept instead of 8; for references outside the
    /// walk's node-ordered sequence). Returns false (and counts it) when MaxEdges is reached.
    /// </summary>
    public bool AddEdge(ulong from, ulong to)
    {
        ThrowIfBuilt();
        if (EdgeCount >= _maxEdges || !_extraSources.TryAdd(from))
        {
            _edgesOverLimit++;
            return false;
        }

        _extraTargets.TryAdd(to);
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

    /// <summary>
    /// Adds a static field's slot, to be folded at build: when the slot lies inside a node (the runtime's statics
    /// storage) that references <paramref name="value"/>, that reference is dropped and the value becomes a
    /// <see cref="HeapRootKind.StaticField"/> root named <paramref name="nameIndex"/>; so the field, not the storage
    /// array, is the root of what it holds. Returns false (and counts it) when MaxRoots slots were given.
    /// </summary>
    /// <param name="slot">The address of the field's storage.</param>
    /// <param name="value">The object the field referenced when it was read.</param>
    /// <param name="nameIndex">The root's name in the caller's name table (0 or more).</param>
    /// <param name="kind">The root's kind: <see cref="HeapRootKind.StaticField"/>, or <see cref="HeapRootKind.ThreadLocal"/> for a thread-static.</param>
    public bool AddStaticSlot(ulong slot, ulong value, int nameIndex, HeapRootKind kind = HeapRootKind.StaticField)
    {
        ThrowIfBuilt();
        ArgumentOutOfRangeException.ThrowIfNegative(nameIndex);
        if (!_slotAddresses.TryAdd(slot))
        {
            _rootsOverLimit++;
            return false;
        }

        _slotValues.TryAdd(value);
        _slotNames.TryAdd(nameIndex);
        _slotKinds.TryAdd(kind);
        return true;
    }

    /// <summary>Builds the graph. The builder gives its arrays to the graph and cannot be used afterwards.</summary>
    /// <remarks>
    /// Memory: the builder's chunks and every transient here (arrival order, rank of arrival, the address index) are
    /// native and freed as soon as they are read, so what is resident at once is what is still needed: the peak is
    /// while the CSR edge array is filled (the walk's targets and counts, rank of arrival, and the graph's arrays).
    /// Roots and static slot values are resolved to node indices right after the edges, so the address index is
    /// gone before the CSR arrays are allocated.
    /// </remarks>
    public HeapGraph Build()
    {
        ThrowIfBuilt();
        _built = true;
        int arrived = _addresses.Count;
        ulong[] addresses = _addresses.MoveToArray();

        // Sort addresses, carrying each one's arrival number, then drop duplicates: rank = node index.
        using var rankOfArrivalBuffer = new NativeBuffer<int>(arrived); // a dropped duplicate maps to the kept node at its address
        Span<int> rankOfArrival = rankOfArrivalBuffer.Span;
        long duplicates = 0;
        int n = 0;
        uint[] sizes;
        int[] types;
        Dictionary<int, long>? largeSizes = _largeSizes.Count > 0 ? [] : null;
        int typeCount = 0;
        using (var arrivalBuffer = new NativeBuffer<int>(arrived))
        {
            Span<int> arrival = arrivalBuffer.Span;
            for (int i = 0; i < arrived; i++)
            {
                arrival[i] = i;
            }

            addresses.AsSpan(0, arrived).Sort(arrival);
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

            sizes = new uint[n];
            types = new int[n];
            for (int rank = 0; rank < n; rank++)
            {
                sizes[rank] = _sizes[arrival[rank]];
                if (sizes[rank] == NodeSizes.InSideTable)
                {
                    largeSizes![rank] = _largeSizes[arrival[rank]];
                }

                types[rank] = _types[arrival[rank]];
                typeCount = Math.Max(typeCount, types[rank] + 1);
            }
        }

        _sizes.Dispose();
        _types.Dispose();
        _largeSizes.Clear();
        var nodeSizes = new NodeSizes(sizes, n, largeSizes);

        // Implied edges: arrival a owns positions [start, start + count) of the sequence, clipped to what arrived.
        // Each resolved target overwrites its own address with its node index (no second edge-sized array).
        int implied = _edgeTargets.Count;
        long missing = Math.Max(0, _announcedEdges - implied - _announcedRefused);
        long surplus = Math.Max(0, implied + _announcedRefused - _announcedEdges);
        var firstEdge = new int[n + 1];
        long dangling = 0;
        int extra = _extraTargets.Count;
        int rootsIn = _rootAddresses.Count;
        int slotsIn = _slotAddresses.Count;
        var rootNodes = new int[rootsIn + slotsIn];
        var rootKinds = new HeapRootKind[rootsIn + slotsIn];
        var rootNames = new int[rootsIn + slotsIn];
        int roots = 0;
        using (var index = new AddressIndex(addresses, n))
        {
            long start = 0;
            for (int a = 0; a < arrived; a++)
            {
                long end = start + _edgeCounts[a];
                int source = rankOfArrival[a];
                for (long e = start; e < end && e < implied; e++)
                {
                    ref ulong target = ref _edgeTargets[(int)e];
                    int to = index.Find(target);
                    if (to < 0)
                    {
                        dangling++;
                        target = Unresolved;
                        continue;
                    }

                    target = (ulong)to;
                    firstEdge[source + 1]++;
                }

                start = end;
            }

            // Explicit edges: the source overwrites its address with its node index too.
            for (int e = 0; e < extra; e++)
            {
                ref ulong source = ref _extraSources[e];
                ref ulong target = ref _extraTargets[e];
                int from = index.Find(source);
                int to = from < 0 ? -1 : index.Find(target);
                if (to < 0)
                {
                    dangling++;
                    source = Unresolved;
                    continue;
                }

                source = (ulong)from;
                target = (ulong)to;
                firstEdge[from + 1]++;
            }

            // Roots: keep those that name a known node. Static slot values: resolved in place, folded below.
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

            for (int s = 0; s < slotsIn; s++)
            {
                ref ulong value = ref _slotValues[s];
                int node = index.Find(value);
                value = node < 0 ? Unresolved : (ulong)node;
            }
        }

        long danglingRoots = rootsIn - roots;
        _rootAddresses.Dispose();
        _rootKinds.Dispose();
        _rootNames.Dispose();

        for (int i = 0; i < n; i++)
        {
            firstEdge[i + 1] += firstEdge[i];
        }

        // Counting sort by source, walking edges backwards so each node keeps its edges in arrival order, implied
        // before explicit: firstEdge[s + 1] counts down from the end of s's run to its start, then all shift left by one.
        int kept = firstEdge[n];
        var edgeTargets = new int[kept];
        for (int e = extra - 1; e >= 0; e--)
        {
            ulong source = _extraSources[e];
            if (source != Unresolved)
            {
                edgeTargets[--firstEdge[(int)source + 1]] = (int)_extraTargets[e];
            }
        }

        _extraSources.Dispose();
        _extraTargets.Dispose();
        long endOfArrival = _announcedEdges;
        for (int a = arrived - 1; a >= 0; a--)
        {
            long begin = endOfArrival - _edgeCounts[a];
            int source = rankOfArrival[a];
            for (long e = Math.Min(endOfArrival, implied) - 1; e >= begin; e--)
            {
                ulong target = _edgeTargets[(int)e];
                if (target != Unresolved)
                {
                    edgeTargets[--firstEdge[source + 1]] = (int)target;
                }
            }

            endOfArrival = begin;
        }

        Array.Copy(firstEdge, 1, firstEdge, 0, n);
        firstEdge[n] = kept;
        _edgeCounts.Dispose();
        _edgeTargets.Dispose();

        // Static slots, which may add roots and drop edges.
        long folded = 0, unheld = 0, valueNotInGraph = 0, holderLacks = 0;
        for (int s = 0; s < slotsIn; s++)
        {
            ulong resolved = _slotValues[s];
            if (resolved == Unresolved)
            {
                valueNotInGraph++;
                continue;
            }

            int value = (int)resolved;
            int holder = ContainingNode(addresses, nodeSizes, n, _slotAddresses[s]);
            if (holder >= 0)
            {
                int at = Array.IndexOf(edgeTargets, value, firstEdge[holder], firstEdge[holder + 1] - firstEdge[holder]);
                if (at < 0)
                {
                    holderLacks++;
                    continue;
                }

                edgeTargets[at] = -1; // dropped below
                folded++;
            }
            else
            {
                unheld++;
            }

            rootNodes[roots] = value;
            rootKinds[roots] = _slotKinds[s];
            rootNames[roots] = _slotNames[s];
            roots++;
        }

        _slotAddresses.Dispose();
        _slotValues.Dispose();
        _slotNames.Dispose();
        _slotKinds.Dispose();
        if (folded > 0)
        {
            kept = RemoveDropped(firstEdge, edgeTargets, n);
        }

        var losses = new HeapGraphLosses(_nodesOverLimit, _edgesOverLimit, _rootsOverLimit, duplicates, dangling, danglingRoots, missing, surplus);
        return new HeapGraph(n, addresses, sizes, largeSizes, types, typeCount, firstEdge, edgeTargets, kept, rootNodes, rootKinds, rootNames, roots, losses)
        {
            Statics = new StaticSlotFolding(folded, unheld, valueNotInGraph, holderLacks),
        };
    }

    /// <summary>The node whose bytes include <paramref name="address"/>, or -1.</summary>
    private static int ContainingNode(ulong[] addresses, NodeSizes sizes, int n, ulong address)
    {
        int i = Array.BinarySearch(addresses, 0, n, address);
        if (i < 0)
        {
            i = ~i - 1; // the last node starting below the address
        }

        return i >= 0 && address - addresses[i] < (ulong)sizes[i] ? i : -1;
    }

    /// <summary>Removes the edges marked -1 in place, fixing the CSR offsets; returns the edges left.</summary>
    private static int RemoveDropped(int[] firstEdge, int[] edgeTargets, int n)
    {
        int write = 0;
        int read = 0;
        for (int v = 0; v < n; v++)
        {
            int end = firstEdge[v + 1];
            firstEdge[v] = write;
            for (; read < end; read++)
            {
                if (edgeTargets[read] >= 0)
                {
                    edgeTargets[write++] = edgeTargets[read];
                }
            }
        }

        firstEdge[n] = write;
        return write;
    }

    private void ThrowIfBuilt()
    {
        if (_built)
        {
            throw new InvalidOperationException("The graph was already built from this builder.");
        }
    }
}
