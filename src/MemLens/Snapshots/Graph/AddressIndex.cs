namespace MemLens.Snapshots.Graph;

/// <summary>
/// Address → node index for a sorted address array, as an open-addressing hash table of node indices (one int per
/// slot, load at most 1/2, so 8 bytes per node, native and freed by <see cref="Dispose"/> once the builder has
/// resolved edges, roots and static slots). The key is read back
/// from the address array itself, so a lookup costs about two cache misses, where a binary search over 10 M
/// addresses costs a dozen or more: measured, this took resolving 20 M random references from most of the build
/// time to a small part of it.
/// </summary>
internal sealed class AddressIndex : IDisposable
{
    private readonly ulong[] _addresses;
    private readonly NativeBuffer<int> _slotsBuffer; // node index + 1; 0 = empty
    private readonly int _shift;
    private readonly int _mask;

    public AddressIndex(ulong[] addresses, int count)
    {
        _addresses = addresses;
        int bits = 4;
        while ((1L << bits) < 2L * count)
        {
            bits++;
        }

        _slotsBuffer = new NativeBuffer<int>(1 << bits, zeroed: true);
        Span<int> slots = _slotsBuffer.Span;
        _shift = 64 - bits;
        _mask = (1 << bits) - 1;
        for (int i = 0; i < count; i++)
        {
            int slot = Hash(addresses[i]);
            while (slots[slot] != 0)
            {
                slot = (slot + 1) & _mask;
            }

            slots[slot] = i + 1;
        }
    }

    /// <summary>The node at <paramref name="address"/>, or -1.</summary>
    public int Find(ulong address)
    {
        Span<int> slots = _slotsBuffer.Span;
        int slot = Hash(address);
        while (true)
        {
            int entry = slots[slot];
            if (entry == 0)
            {
                return -1;
            }

            if (_addresses[entry - 1] == address)
            {
                return entry - 1;
            }

            slot = (slot + 1) & _mask;
        }
    }

    public void Dispose() => _slotsBuffer.Dispose();

    // Fibonacci hashing: objects are 8-byte aligned and often evenly spaced, so the multiply spreads them.
    private int Hash(ulong address) => (int)((address * 0x9E37_79B9_7F4A_7C15UL) >> _shift);
}
