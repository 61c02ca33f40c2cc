namespace MemLens.Storage;

// The bit stream is hand-written on purpose: the core package must stay free of package
// dependencies (it is loaded into the user's process), and no well-kept .NET package offers a
// Gorilla-style bit writer/reader. It is a few dozen lines and is covered by round-trip tests.

/// <summary>
/// Appends bit fields, most significant bit first, to a caller-owned <c>ulong[]</c>. It never grows the
/// buffer: the caller checks <see cref="FreeBits"/> before writing, which keeps appends allocation-free.
/// </summary>
internal struct BitWriter
{
    private readonly ulong[] _words;
    private int _bitPosition;

    /// <summary>Writes into <paramref name="words"/>, which must be zeroed.</summary>
    public BitWriter(ulong[] words)
    {
        _words = words;
        _bitPosition = 0;
    }

    /// <summary>Bits written so far.</summary>
    public readonly int BitPosition => _bitPosition;

    /// <summary>Bits that can still be written.</summary>
    public readonly int FreeBits => (_words.Length * 64) - _bitPosition;

    /// <summary>Words that hold at least one written bit.</summary>
    public readonly int UsedWords => (_bitPosition + 63) >> 6;

    public void WriteBit(bool bit)
    {
        if (bit)
        {
            _words[_bitPosition >> 6] |= 1UL << (63 - (_bitPosition & 63));
        }

        _bitPosition++;
    }

    /// <summary>Writes the low <paramref name="count"/> bits (1–64) of <paramref name="value"/>.</summary>
    public void WriteBits(ulong value, int count)
    {
        if (count < 64)
        {
            value &= (1UL << count) - 1;
        }

        int index = _bitPosition >> 6;
        int free = 64 - (_bitPosition & 63);
        if (count <= free)
        {
            _words[index] |= value << (free - count);
        }
        else
        {
            int spill = count - free;
            _words[index] |= value >> spill;
            _words[index + 1] |= value << (64 - spill);
        }

        _bitPosition += count;
    }

    /// <summary>Clears what was written so the buffer can take a new stream (the writer relies on zeroed words).</summary>
    public void Reset()
    {
        Array.Clear(_words, 0, UsedWords);
        _bitPosition = 0;
    }
}
