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
    public void State_and_parent_are_fields_3_and_4_even_after_a_name_with_parentheses()
    {
        Assert.True(ProcStatParser.TryParseStateAndParent("42 (a) b (c)) Z 17 1 1 0\n"u8, out char state, out int parent));
        Assert.Equal('Z', state);
        Assert.Equal(17, parent);
        Assert.False(ProcStatParser.TryParseStateAndParent("42 (cut"u8, out _, out _));
        Assert.True(ProcStatParser.TryParseStateAndParent(Fixture.Bytes("sleep.stat"), out state, out parent));
        Assert.Equal(('S', 12471), (state, parent));
    }

    [Fact]
    public void Parent_of_a_live_child_is_this_process_as_ps_says()
    {
        using var child = System.Diagnostics.Process.Start("sleep", "5");
        try
        {
            Assert.True(ProcStatParser.TryReadStateAndParent(child.Id, out char state, out int parent));
            Assert.Equal(Environment.ProcessId, parent);
            // The state changes from moment to moment (R while starting, then S), so only the parent is compared with ps.
            Assert.Contains(state, "RSD");
            var ps = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("ps", $"-o ppid= -p {child.Id}") { RedirectStandardOutput = true })!;
            string ppid = ps.StandardOutput.ReadToEnd().Trim();
            ps.WaitForExit();
            Assert.Equal(int.Parse(ppid, System.Globalization.CultureInfo.InvariantCulture), parent);
        }
        finally
        {
            child.Kill();
        }
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
