using FsCheck;
using FsCheck.Fluent;
using MemLens.Storage;
using Xunit;

namespace MemLens.Tests.Storage;

public class BitStreamTests
{
    [Fact]
    public void Fields_of_every_width_round_trip()
    {
        var field = from width in Gen.Choose(1, 64)
                    from hi in Gen.Choose(int.MinValue, int.MaxValue)
                    from lo in Gen.Choose(int.MinValue, int.MaxValue)
                    select (Width: width, Value: ((ulong)(uint)hi << 32 | (uint)lo) & (width == 64 ? ulong.MaxValue : (1UL << width) - 1));

        Prop.ForAll(Gen.ListOf(field).ToArbitrary(), fields =>
        {
            var words = new ulong[(fields.Sum(f => f.Width) / 64) + 2];
            var writer = new BitWriter(words);
            foreach (var (w, v) in fields)
            {
                if (w == 1)
                {
                    writer.WriteBit(v == 1);
                }
                else
                {
                    writer.WriteBits(v, w);
                }
            }

            var reader = new BitReader(words);
            foreach (var (w, v) in fields)
            {
                ulong read = w == 1 ? (reader.ReadBit() ? 1UL : 0UL) : reader.ReadBits(w);
                if (read != v)
                {
                    return false;
                }
            }

            return reader.BitPosition == writer.BitPosition;
        }).QuickCheckThrowOnFailure();
    }

    [Theory]
    [InlineData(5, -16)]
    [InlineData(5, 15)]
    [InlineData(9, -1)]
    [InlineData(16, short.MinValue)]
    [InlineData(64, long.MinValue)]
    [InlineData(64, long.MaxValue)]
    public void Signed_fields_keep_their_sign(int width, long value)
    {
        var words = new ulong[4];
        var writer = new BitWriter(words);
        writer.WriteBits(1, 3); // misalign on purpose
        writer.WriteBits((ulong)value, width);
        var reader = new BitReader(words);
        reader.ReadBits(3);
        Assert.Equal(value, reader.ReadSigned(width));
    }

    [Fact]
    public void Reset_clears_the_buffer_for_the_next_stream()
    {
        var words = new ulong[2];
        var writer = new BitWriter(words);
        writer.WriteBits(ulong.MaxValue, 64);
        writer.WriteBits(0b101, 3);
        writer.Reset();
        writer.WriteBits(0b01, 2);
        Assert.Equal(0x4000_0000_0000_0000UL, words[0]);
        Assert.Equal(0UL, words[1]);
    }
}
