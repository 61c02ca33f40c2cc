using System.Numerics;

namespace MemLens.Storage;

/// <summary>
/// The open (newest) chunk of one series: encodes points into a fixed-size buffer that is reused for
/// every chunk of the series, so appending allocates nothing until a full chunk is sealed (copied to an
/// exact-size immutable <see cref="CompressedChunk"/>). Not thread-safe: the series lock guards it.
/// </summary>
internal sealed class ChunkEncoder
{
    private readonly ulong[] _buffer;
    private BitWriter _bits;
    private long _previousDelta;
    private ulong _previousValueBits;
    private int _windowLeading = -1;
    private int _windowTrailing;

    public ChunkEncoder(int chunkBytes)
    {
        _buffer = new ulong[chunkBytes / 8];
        _bits = new BitWriter(_buffer);
    }

    public int Count { get; private set; }

    public long FirstTimestamp { get; private set; }

    public long LastTimestamp { get; private set; }

    public double FirstValue { get; private set; }

    public double LastValue { get; private set; }

    public double Min { get; private set; }

    public double Max { get; private set; }

    public double Sum { get; private set; }

    /// <summary>Bytes of the reusable buffer (counted once per series in the memory budget).</summary>
    public int BufferBytes => _buffer.Length * 8;

    /// <summary>
    /// Encodes one point, or returns false when the chunk may not have room for it (the caller seals the
    /// chunk, resets, and appends again). The caller guarantees timestamps never decrease.
    /// </summary>
    public bool TryAppend(long timestampMs, double value)
    {
        if (Count == 0)
        {
            FirstTimestamp = LastTimestamp = timestampMs;
            FirstValue = LastValue = Min = Max = Sum = value;
            _previousDelta = 0;
            _previousValueBits = (ulong)BitConverter.DoubleToInt64Bits(value);
            _windowLeading = -1;
            Count = 1;
            return true;
        }

        if (_bits.FreeBits < ChunkFormat.MaxBitsPerPoint)
        {
            return false;
        }

        // Deltas may wrap for absurd timestamps; unchecked arithmetic wraps identically when decoding.
        long delta = unchecked(timestampMs - LastTimestamp);
        WriteDeltaOfDelta(unchecked(delta - _previousDelta));
        _previousDelta = delta;
        WriteValue((ulong)BitConverter.DoubleToInt64Bits(value));

        LastTimestamp = timestampMs;
        LastValue = value;
        if (value < Min)
        {
            Min = value;
        }

        if (value > Max)
        {
            Max = value;
        }

        Sum += value;
        Count++;
        return true;
    }

    /// <summary>An immutable copy of the points so far (used to seal, and by readers to see the open chunk).</summary>
    public CompressedChunk ToChunk()
    {
        var words = new ulong[_bits.UsedWords];
        Array.Copy(_buffer, words, words.Length);
        return new CompressedChunk(words, Count, FirstTimestamp, LastTimestamp, FirstValue, LastValue, Min, Max, Sum);
    }

    /// <summary>Empties the chunk; the buffer is kept for the next one.</summary>
    public void Reset()
    {
        _bits.Reset();
        Count = 0;
    }

    private void WriteDeltaOfDelta(long dod)
    {
        if (dod == 0)
        {
            _bits.WriteBit(false);
        }
        else if (dod >= -16 && dod <= 15)
        {
            _bits.WriteBits(0b10, 2);
            _bits.WriteBits((ulong)dod, 5);
        }
        else if (dod >= -256 && dod <= 255)
        {
            _bits.WriteBits(0b110, 3);
            _bits.WriteBits((ulong)dod, 9);
        }
        else if (dod >= short.MinValue && dod <= short.MaxValue)
        {
            _bits.WriteBits(0b1110, 4);
            _bits.WriteBits((ulong)dod, 16);
        }
        else
        {
            _bits.WriteBits(0b1111, 4);
            _bits.WriteBits((ulong)dod, 64);
        }
    }

    private void WriteValue(ulong valueBits)
    {
        ulong xor = valueBits ^ _previousValueBits;
        _previousValueBits = valueBits;
        if (xor == 0)
        {
            _bits.WriteBit(false);
            return;
        }

        int leading = Math.Min(BitOperations.LeadingZeroCount(xor), ChunkFormat.MaxLeadingZeros);
        int trailing = BitOperations.TrailingZeroCount(xor);
        int length = 64 - leading - trailing;

        // Reuse the previous window when the value fits in it, unless the window has grown so much
        // wider than needed that describing a new one is cheaper (plain Gorilla keeps wide windows forever).
        if (_windowLeading >= 0 && leading >= _windowLeading && trailing >= _windowTrailing)
        {
            int windowLength = 64 - _windowLeading - _windowTrailing;
            if (windowLength <= length + ChunkFormat.NewWindowOverheadBits)
            {
                _bits.WriteBits(0b10, 2);
                _bits.WriteBits(xor >> _windowTrailing, windowLength);
                return;
            }
        }

        _bits.WriteBits(0b11, 2);
        _bits.WriteBits((ulong)leading, 5);
        _bits.WriteBits((ulong)(length & 63), 6);
        _bits.WriteBits(xor >> trailing, length);
        _windowLeading = leading;
        _windowTrailing = trailing;
    }
}
