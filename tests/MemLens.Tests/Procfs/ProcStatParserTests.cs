using MemLens.Procfs;
using Xunit;

namespace MemLens.Tests.Procfs;

public class ProcStatParserTests
{
    [Fact]
    public void Start_time_is_field_22()
    {
        Assert.True(ProcStatParser.TryParseStartTime(Fixture.Bytes("sleep.stat"), out long ticks));
        Assert.Equal(75880, ticks);
    }

    [Fact]
    public void Command_names_with_spaces_and_parentheses_do_not_shift_fields()
    {
        var stat = "42 (a) b (c)) S 1 1 1 0 -1 4194304 0 0 0 0 0 0 0 0 20 0 1 0 12345 0 0\n"u8;

        Assert.True(ProcStatParser.TryParseStartTime(stat, out long ticks));
        Assert.Equal(12345, ticks);
    }

    [Fact]
    public void Uptime_is_the_first_number()
    {
        Assert.True(ProcStatParser.TryParseUptime(Fixture.Bytes("uptime"), out double seconds));
        Assert.Equal(758.93, seconds, 6);
        Assert.False(ProcStatParser.TryParseUptime("abc 1\n"u8, out _));
        Assert.False(ProcStatParser.TryParseUptime("75"u8, out _));
    }
}
