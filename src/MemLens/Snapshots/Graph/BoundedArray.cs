namespace MemLens.Snapshots.Graph;

/// <summary>
/// An append-only array that doubles up to a fixed limit and refuses beyond it; the builder's storage, so
/// a heap larger than configured costs a counter instead of memory.
/// </summary>
internal struct BoundedArray<T>
{
    private T[] _items;

    public BoundedArray(int limit)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        Limit = limit;
        _items = new T[Math.Min(limit, 1024)];
    }

    public int Limit { get; }

    public int Count { get; private set; }

    /// <summary>The backing array; only the first <see cref="Count"/> items are meaningful.</summary>
    public readonly T[] Items => _items;

    public bool TryAdd(T item)
    {
        if (Count == _items.Length)
        {
            if (Count >= Limit)
            {
                return false;
            }

            Array.Resize(ref _items, (int)Math.Min(Limit, Math.Max(16L, 2L * _items.Length)));
        }

        _items[Count++] = item;
        return true;
    }

    /// <summary>Replaces the item at <paramref name="index"/> (already added).</summary>
    public readonly void Set(int index, T item) => _items[index] = item;
}
