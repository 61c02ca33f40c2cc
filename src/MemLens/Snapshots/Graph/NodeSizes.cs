namespace MemLens.Snapshots.Graph;

/// <summary>
/// Each node's own (shallow) size in bytes, stored in 4 bytes per node: sizes of 4 GiB and more (large arrays can be)
/// sit in a side table, so every size reads back exactly while the common case costs half of a <c>long</c> per node.
/// </summary>
public readonly struct NodeSizes
{
    /// <summary>The stored value of a node whose size is in the side table.</summary>
    internal const uint InSideTable = uint.MaxValue;

    private readonly uint[]? _sizes;
    private readonly IReadOnlyDictionary<int, long>? _large;

    internal NodeSizes(uint[] sizes, int count, IReadOnlyDictionary<int, long>? large)
    {
        _sizes = sizes;
        Length = count;
        _large = large;
    }

    /// <summary>Number of nodes.</summary>
    public int Length { get; }

    /// <summary>The size of one node.</summary>
    public long this[int node]
    {
        get
        {
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)node, (uint)Length, nameof(node));
            uint size = _sizes![node];
            return size != InSideTable ? size : _large![node];
        }
    }

    /// <summary>Enumerates the sizes in node order.</summary>
    public Enumerator GetEnumerator() => new(this);

    /// <summary>Enumerates the sizes in node order.</summary>
    public struct Enumerator
    {
        private readonly NodeSizes _sizes;
        private int _node;

        internal Enumerator(NodeSizes sizes)
        {
            _sizes = sizes;
            _node = -1;
        }

        /// <summary>The current node's size.</summary>
        public readonly long Current => _sizes[_node];

        /// <summary>Moves to the next node.</summary>
        public bool MoveNext() => ++_node < _sizes.Length;
    }
}
