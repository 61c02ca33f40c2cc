namespace MemLens.Storage;

/// <summary>
/// An immutable run of raw points of one series, Gorilla-encoded (see <see cref="ChunkFormat"/>), with a
/// summary (time range, count, min, max, sum) that lets queries use the whole chunk without decoding it
/// when it falls inside one output bucket. Immutable, so readers use it without any lock.
/// </summary>
internal sealed class CompressedChunk
{
    public CompressedChunk(ulong[] words, int count, long firstTimestamp, long lastTimestamp, double firstValue, double lastValue, double min, double max, double sum)
    {
        Words = words;
        Count = count;
        FirstTimestamp = firstTimestamp;
        LastTimestamp = lastTimestamp;
        FirstValue = firstValue;
        LastValue = lastValue;
        Min = min;
        Max = max;
        Sum = sum;
    }

    /// <summary>Managed bytes of one chunk without its bit array: header + 1 reference + 2 ints + 7 eight-byte fields.</summary>
    public const int ObjectBytes = MemoryCost.ObjectHeader + 8 + 8 + (7 * 8);

    public ulong[] Words { get; }

    public int Count { get; }

    public long FirstTimestamp { get; }

    public long LastTimestamp { get; }

    /// <summary>The first value (also in the bit stream's header role: it is not encoded in <see cref="Words"/>).</summary>
    public double FirstValue { get; }

    public double LastValue { get; }

    public double Min { get; }

    public double Max { get; }

    public double Sum { get; }

    /// <summary>Managed bytes this chunk holds: the object and its bit array.</summary>
    public long MemoryBytes => ObjectBytes + MemoryCost.Array(Words.Length, sizeof(ulong));

    public ChunkIterator GetIterator() => new(this);

    /// <summary>
    /// Decodes every point into the spans (at least <see cref="Count"/> long). Same format as
    /// <see cref="ChunkIterator"/>, but with all state in locals the JIT keeps in registers, which makes bulk
    /// decoding for queries about twice as fast as stepping an iterator.
    /// </summary>
    public void DecodeAll(Span<long> timestamps, Span<double> values)
    {
        if (Count == 0)
        {
            return;
        }

        ulong[] words = Words;
        timestamps[0] = FirstTimestamp;
        values[0] = FirstValue;
        long t = FirstTimestamp;
        long delta = 0;
        ulong bits = (ulong)BitConverter.DoubleToInt64Bits(FirstValue);
        int leading = 0, length = 0;
        int pos = 0;
        for (int i = 1; i < Count; i++)
        {
            ulong window = Peek(words, pos);
            if ((long)window >= 0)
            {
                pos++;
                window <<= 1;
            }
            else if ((window >> 62) == 0b10)
            {
                delta += (long)(window << 2) >> 59;
                pos += 7;
                window = Peek(words, pos);
            }
            else if ((window >> 61) == 0b110)
            {
                delta += (long)(window << 3) >> 55;
                pos += 12;
                window = Peek(words, pos);
            }
            else if ((window >> 60) == 0b1110)
            {
                delta += (long)(window << 4) >> 48;
                pos += 20;
                window = Peek(words, pos);
            }
            else
            {
                pos += 4;
                delta = unchecked(delta + (long)Peek(words, pos));
                pos += 64;
                window = Peek(words, pos);
            }

            t = unchecked(t + delta);
            timestamps[i] = t;

            // 'window' now starts at the value's control bits.
            if ((long)window >= 0)
            {
                pos++;
            }
            else
            {
                if ((window >> 62) == 0b11)
                {
                    leading = (int)((window >> 57) & 31);
                    length = (int)((window >> 51) & 63);
                    if (length == 0)
                    {
                        length = 64;
                    }

                    pos += 13;
                }
                else
                {
                    pos += 2;
                }

                ulong meaningful = Peek(words, pos) >> (64 - length);
                pos += length;
                bits ^= meaningful << (64 - leading - length);
            }

            values[i] = BitConverter.Int64BitsToDouble((long)bits);
        }
    }

    /// <summary>The 64 bits from <paramref name="pos"/> on (zeros past the end).</summary>
    private static ulong Peek(ulong[] words, int pos)
    {
        int index = pos >> 6;
        int used = pos & 63;
        ulong window = words[index] << used;
        if (used != 0 && (uint)(index + 1) < (uint)words.Length)
        {
            window |= words[index + 1] >> (64 - used);
        }

        return window;
    }
}

/// <summary>Decodes a <see cref="CompressedChunk"/> point by point, oldest first, without allocating.</summary>
internal struct ChunkIterator
{
    private readonly CompressedChunk _chunk;
    private BitReader _bits;
    private int _index;
    private long _delta;
    private ulong _valueBits;
    private int _windowLeading;
    private int _windowLength;

    public ChunkIterator(CompressedChunk chunk)
    {
        _chunk = chunk;
        _bits = new BitReader(chunk.Words);
        _index = -1;
        _delta = 0;
        _valueBits = 0;
        _windowLeading = 0;
        _windowLength = 0;
        Timestamp = 0;
        Value = 0;
    }

    public long Timestamp { get; private set; }

    public double Value { get; private set; }

    public bool MoveNext()
    {
        int next = _index + 1;
        if (next >= _chunk.Count)
        {
            return false;
        }

        _index = next;
        if (next == 0)
        {
            Timestamp = _chunk.FirstTimestamp;
            Value = _chunk.FirstValue;
            _valueBits = (ulong)BitConverter.DoubleToInt64Bits(Value);
            return true;
        }

        _delta = unchecked(_delta + ReadDeltaOfDelta());
        Timestamp = unchecked(Timestamp + _delta);

        // Value control bits: 0 = unchanged, 10 = previous window, 11 = new window (see ChunkFormat).
        ulong control = _bits.Peek64() >> 62;
        if (control < 2)
        {
            _bits.Skip(1);
            return true;
        }

        _bits.Skip(2);
        if (control == 3)
        {
            ulong header = _bits.ReadBits(11);
            _windowLeading = (int)(header >> 6);
            _windowLength = (int)(header & 63);
            if (_windowLength == 0)
            {
                _windowLength = 64;
            }
        }

        int trailing = 64 - _windowLeading - _windowLength;
        _valueBits ^= _bits.ReadBits(_windowLength) << trailing;
        Value = BitConverter.Int64BitsToDouble((long)_valueBits);
        return true;
    }

    private long ReadDeltaOfDelta()
    {
        // The prefix is 0, 10, 110, 1110 or 1111: branch on the top four bits at once.
        ulong prefix = _bits.Peek64() >> 60;
        if (prefix < 0b1000)
        {
            _bits.Skip(1);
            return 0;
        }

        if (prefix < 0b1100)
        {
            _bits.Skip(2);
            return _bits.ReadSigned(5);
        }

        if (prefix < 0b1110)
        {
            _bits.Skip(3);
            return _bits.ReadSigned(9);
        }

        _bits.Skip(4);
        return prefix == 0b1111 ? _bits.ReadSigned(64) : _bits.ReadSigned(16);
    }
}
