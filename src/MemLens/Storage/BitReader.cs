namespace MemLens.Storage;

/// <summary>
/// Reads bit fields written by <see cref="BitWriter"/> (most significant bit first). A struct so that a
/// decoding loop keeps its position in registers and allocates nothing.
/// </summary>
internal struct BitReader
{
    private readonly ulong[] _words;
    private int _bitPosition;

    public BitReader(ulong[] words)
    {
        _words = words;
        _bitPosition = 0;
    }

    public readonly int BitPosition => _bitPosition;

    public bool ReadBit()
    {
        ulong word = _words[_bitPosition >> 6];
        bool bit = ((word >> (63 - (_bitPosition & 63))) & 1) != 0;
        _bitPosition++;
        return bit;
    }

    /// <summary>
    /// The next 64 bits without consuming them (zeros past the end), so a decoder can branch on several
    /// control bits at once instead of reading them one by one.
    /// </summary>
    public readonly ulong Peek64()
    {
        int index = _bitPosition >> 6;
        int used = _bitPosition & 63;
        ulong window = _words[index] << used;
        if (used != 0 && index + 1 < _words.Length)
        {
            window |= _words[index + 1] >> (64 - used);
        }

        return window;
    }

    public void Skip(int count) => _bitPosition += count;

    /// <summary>Reads <paramref name="count"/> bits (1–64) as an unsigned value.</summary>
    public ulong ReadBits(int count)
    {
        int index = _bitPosition >> 6;
        int used = _bitPosition & 63;
        int available = 64 - used;
        ulong result = (_words[index] << used) >> (64 - count);
        if (count > available)
        {
            int rest = count - available;
            result |= _words[index + 1] >> (64 - rest);
        }

        _bitPosition += count;
        return result;
    }

    /// <summary>Reads <paramref name="count"/> bits (1–64) as a two's-complement signed value.</summary>
    public long ReadSigned(int count)
    {
        ulong raw = ReadBits(count);
        int shift = 64 - count;
        return (long)(raw << shift) >> shift;
    }
}
