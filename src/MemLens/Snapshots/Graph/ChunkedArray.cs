using System.Runtime.InteropServices;

namespace MemLens.Snapshots.Graph;

/// <summary>
/// The builder's append-only storage: fixed chunks of 1 M items up to a limit, refusing beyond it, kept outside the
/// GC heap. Growing by chunks copies nothing (a doubling array would allocate about twice what it finally holds and
/// leave the old copies for the GC); only the first chunk doubles, so a small graph stays small.
/// </summary>
/// <remarks>
/// Native for the same reason as <see cref="NativeBuffer{T}"/>: <see cref="HeapGraphBuilder.Build"/> reads each
/// array once and then <see cref="Dispose"/> gives its memory back at once, where managed chunks stayed resident as
/// garbage while Build allocated the graph (measured: the builder's ~40 B per node then counted twice in the peak).
/// The finalizer frees the chunks of a builder dropped without building.
/// </remarks>
internal sealed unsafe class ChunkedArray<T> : IDisposable
    where T : unmanaged
{
    private const int ChunkBits = 20;
    private const int ChunkSize = 1 << ChunkBits;
    private const int ChunkMask = ChunkSize - 1;

    private readonly nint[] _chunks;
    private int _firstChunkLength;

    public ChunkedArray(int limit)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        Limit = limit;
        _chunks = new nint[(int)(((long)limit + ChunkSize - 1) >> ChunkBits)];
    }

    ~ChunkedArray() => Free();

    public int Limit { get; }

    public int Count { get; private set; }

    /// <summary>The item at <paramref name="index"/> (below <see cref="Count"/>).</summary>
    public ref T this[int index] => ref ((T*)_chunks[index >> ChunkBits])[index & ChunkMask];

    public bool TryAdd(T item)
    {
        if (Count >= Limit)
        {
            return false;
        }

        int chunk = Count >> ChunkBits;
        int offset = Count & ChunkMask;
        if (_chunks[chunk] == 0)
        {
            // Only chunk 0 can be short: it doubles from 256 items until it is full size.
            int size = chunk == 0 ? 256 : ChunkSize;
            _chunks[chunk] = (nint)NativeMemory.Alloc((nuint)size, (nuint)sizeof(T));
            if (chunk == 0)
            {
                _firstChunkLength = size;
            }
        }
        else if (chunk == 0 && offset == _firstChunkLength)
        {
            _firstChunkLength = Math.Min(ChunkSize, 2 * _firstChunkLength);
            _chunks[0] = (nint)NativeMemory.Realloc((void*)_chunks[0], (nuint)_firstChunkLength * (nuint)sizeof(T));
        }

        ((T*)_chunks[chunk])[offset] = item;
        Count++;
        return true;
    }

    /// <summary>Copies the items into one managed array of exactly <see cref="Count"/> items, then frees the chunks.</summary>
    public T[] MoveToArray()
    {
        var all = new T[Count];
        for (int chunk = 0, at = 0; at < Count; chunk++)
        {
            int length = Math.Min(ChunkSize, Count - at);
            new ReadOnlySpan<T>((void*)_chunks[chunk], length).CopyTo(all.AsSpan(at));
            at += length;
        }

        Dispose();
        return all;
    }

    /// <summary>Frees the chunks; the array must not be used afterwards.</summary>
    public void Dispose()
    {
        Free();
        GC.SuppressFinalize(this);
    }

    private void Free()
    {
        for (int chunk = 0; chunk < _chunks.Length; chunk++)
        {
            if (_chunks[chunk] != 0)
            {
                NativeMemory.Free((void*)_chunks[chunk]);
                _chunks[chunk] = 0;
            }
        }
    }
}
