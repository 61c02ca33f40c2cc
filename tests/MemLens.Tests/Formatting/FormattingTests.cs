using MemLens.Formatting;
using Xunit;

namespace MemLens.Tests.Formatting;

public sealed class FormattingTests
{
    [Theory]
    [InlineData("500ms", 500)]
    [InlineData("30s", 30_000)]
    [InlineData("5m", 300_000)]
    [InlineData("1h30m", 5_400_000)]
    [InlineData("2", 2_000)]
    [InlineData("1.5s", 1_500)]
    [InlineData(" 10S ", 10_000)]
    public void Durations_parse_as_people_type_them(string text, long expectedMs)
    {
        Assert.True(Durations.TryParse(text, out var value));
        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), value);
    }

    [Theory]
    [InlineData("")]
    [InlineData("soon")]
    [InlineData("5x")]
    [InlineData("-3s")]
    [InlineData("ms")]
    [InlineData("99999999999999999999h")]
    public void Anything_else_is_not_a_duration(string text) => Assert.False(Durations.TryParse(text, out _));

    [Theory]
    [InlineData("4096", 4096L)]
    [InlineData("256MiB", 256L << 20)]
    [InlineData("256 mib", 256L << 20)]
    [InlineData("512M", 512L << 20)]
    [InlineData("1.5GiB", 3L << 29)]
    [InlineData("2G", 2L << 30)]
    [InlineData("100MB", 100_000_000L)]
    [InlineData("1kB", 1000L)]
    [InlineData("64K", 65536L)]
    public void Sizes_parse_as_people_type_them(string text, long expected)
    {
        Assert.True(ByteSize.TryParse(text, out long bytes));
        Assert.Equal(expected, bytes);
    }

    [Theory]
    [InlineData("")]
    [InlineData("big")]
    [InlineData("-5MiB")]
    [InlineData("5 parsecs")]
    [InlineData("MiB")]
    [InlineData("99999999999TiB")]
    public void Anything_else_is_not_a_size(string text) => Assert.False(ByteSize.TryParse(text, out _));

    [Theory]
    [InlineData(0, "0 B")]
    [InlineData(1023, "1023 B")]
    [InlineData(1536, "1.5 KiB")]
    [InlineData(268435456, "256 MiB")]
    [InlineData(-4096, "-4 KiB")]
    [InlineData(54223785984, "50.5 GiB")]
    public void Bytes_are_shown_in_iec_units(double bytes, string expected) => Assert.Equal(expected, ByteSize.Format(bytes));

    [Theory]
    [InlineData(12.5, "12.5s")]
    [InlineData(303, "5m 03s")]
    [InlineData(3 * 3600 + 120, "3h 02m")]
    [InlineData(2 * 86400 + 4 * 3600, "2d 4h")]
    public void Durations_are_shown_compactly(double seconds, string expected) =>
        Assert.Equal(expected, Durations.Format(TimeSpan.FromSeconds(seconds)));
}
