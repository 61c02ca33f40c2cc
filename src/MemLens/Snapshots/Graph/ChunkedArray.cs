namespace MemLens.Snapshots.Graph;

/// <summary>
/// The builder's append-only storage: fixed chunks of 1 M items up to a limit, refusing beyond it. Growing by
/// chunks copies nothing (a doubling array would allocate about twice what it finally holds and leave the old
/// copies for the GC); only the first chunk doubles, so a small graph stays small.
/// </summary>
internal struct ChunkedArray<T>
{
    private const int ChunkBits = 20;
    private const int ChunkSize = 1 << ChunkBits;
    private const int ChunkMask = ChunkSize - 1;

    private readonly T[][] _chunks;

    public ChunkedArray(int limit)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        Limit = limit;
        _chunks = new T[(int)(((long)limit + ChunkSize - 1) >> ChunkBits)][];
    }

    public int Limit { get; }

    public int Count { get; private set; }

    /// <summary>The item at <paramref name="index"/> (below <see cref="Count"/>).</summary>
    public readonly ref T this[int index] => ref _chunks[index >> ChunkBits][index & ChunkMask];

    public bool TryAdd(T item)
    {
        if (Count >= Limit)
        {
            return false;
        }

        int chunk = Count >> ChunkBits;
        int offset = Count & ChunkMask;
        T[]? items = _chunks[chunk];
        if (items is null || offset == items.Length)
        {
            // Only chunk 0 can be short: it doubles from 256 items until it is full size.
            int size = chunk == 0 ? Math.Min(ChunkSize, Math.Max(256, 2 * (items?.Length ?? 0))) : ChunkSize;
            Array.Resize(ref items, size);
            _chunks[chunk] = items;
        }

        items[offset] = item;
        Count++;
        return true;
    }

    /// <summary>Copies the items into one array of exactly <see cref="Count"/> items, dropping each chunk once copied.</summary>
    public readonly T[] MoveToArray()
    {
        var all = new T[Count];
        for (int chunk = 0, at = 0; at < Count; chunk++)
        {
            int length = Math.Min(ChunkSize, Count - at);
            Array.Copy(_chunks[chunk], 0, all, at, length);
            _chunks[chunk] = null!;
            at += length;
        }

        return all;
    }
}
