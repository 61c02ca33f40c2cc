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
        if (_bits.ReadBit())
        {
            if (_bits.ReadBit())
            {
                _windowLeading = (int)_bits.ReadBits(5);
                _windowLength = (int)_bits.ReadBits(6);
                if (_windowLength == 0)
                {
                    _windowLength = 64;
                }
            }

            int trailing = 64 - _windowLeading - _windowLength;
            _valueBits ^= _bits.ReadBits(_windowLength) << trailing;
            Value = BitConverter.Int64BitsToDouble((long)_valueBits);
        }

        return true;
    }

    private long ReadDeltaOfDelta()
    {
        if (!_bits.ReadBit())
        {
            return 0;
        }

        if (!_bits.ReadBit())
        {
            return _bits.ReadSigned(5);
        }

        if (!_bits.ReadBit())
        {
            return _bits.ReadSigned(9);
        }

        return _bits.ReadBit() ? _bits.ReadSigned(64) : _bits.ReadSigned(16);
    }
}
