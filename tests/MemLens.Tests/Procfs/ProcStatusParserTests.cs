using MemLens.Procfs;
using Xunit;

namespace MemLens.Tests.Procfs;

public class ProcStatusParserTests
{
    private const long KiB = 1024;

    [Fact]
    public void Sleep_status_gives_every_field_in_bytes()
    {
        var s = ProcStatusParser.Parse(Fixture.Bytes("sleep.status"));

        Assert.Equal(1804 * KiB, s.VmRss);
        Assert.Equal(2920 * KiB, s.VmSize);
        Assert.Equal(1804 * KiB, s.VmHwm);
        Assert.Equal(0, s.VmSwap);
        Assert.Equal(40 * KiB, s.VmPte);
        Assert.Equal(224 * KiB, s.VmData);
        Assert.Equal(132 * KiB, s.VmStk);
        Assert.Equal(20 * KiB, s.VmExe);
        Assert.Equal(108 * KiB, s.RssAnon);
        Assert.Equal(1696 * KiB, s.RssFile);
        Assert.Equal(0, s.RssShmem);
        Assert.Equal(1, s.Threads);
        Assert.Equal((byte)'S', s.State);
        Assert.False(s.HasExited);
        Assert.True(s.Has(AllFields));
    }

    [Fact]
    public void Dotnet_status_gives_threads_and_shmem()
    {
        var s = ProcStatusParser.Parse(Fixture.Bytes("dotnet.status"));

        Assert.Equal(466948 * KiB, s.VmRss);
        Assert.Equal(52964896 * KiB, s.VmSize);
        Assert.Equal(434020 * KiB, s.RssAnon);
        Assert.Equal(29308 * KiB, s.RssFile);
        Assert.Equal(3620 * KiB, s.RssShmem);
        Assert.Equal(1188 * KiB, s.VmPte);
        Assert.Equal(550000 * KiB, s.VmData);
        Assert.Equal(14, s.Threads);
        Assert.Equal(s.VmRss, s.RssAnon + s.RssFile + s.RssShmem);
    }

    [Fact]
    public void Perl_status_shows_the_64_MiB_string_as_anonymous_memory()
    {
        var s = ProcStatusParser.Parse(Fixture.Bytes("perl64m.status"));

        Assert.Equal(136160 * KiB, s.VmRss);
        Assert.Equal(131524 * KiB, s.RssAnon);
        Assert.True(s.RssAnon > 64 * KiB * KiB);
    }

    [Fact]
    public void Kernel_before_4_5_has_no_Rss_split_and_it_is_absent_not_zero()
    {
        var s = ProcStatusParser.Parse(Fixture.Bytes("handmade.kernel-4.4.status"));

        Assert.False(s.Has(ProcStatusFields.RssAnon));
        Assert.False(s.Has(ProcStatusFields.RssFile));
        Assert.False(s.Has(ProcStatusFields.RssShmem));
        Assert.Equal(38000 * KiB, s.VmRss);
        Assert.Equal(2048 * KiB, s.VmSwap);
        Assert.Equal(7, s.Threads);
    }

    [Fact]
    public void Zombie_state_is_reported_as_exited()
    {
        var s = ProcStatusParser.Parse("Name:\tx\nState:\tZ (zombie)\nThreads:\t1\n"u8);

        Assert.True(s.HasExited);
        Assert.False(s.Has(ProcStatusFields.VmRss));
    }

    [Theory]
    [InlineData("VmRSS:\t 1700 kB")] // no newline: truncated
    [InlineData("VmRSS:\t 1700\n")] // no unit
    [InlineData("VmRSS:\t 1700 MB\n")] // unknown unit
    [InlineData("VmRSS:\t -1700 kB\n")]
    [InlineData("VmRSS:\t 99999999999999999999 kB\n")] // overflows long
    [InlineData("VmRSS:\t 9007199254740993 kB\n")] // fits long, but not once multiplied by 1024
    [InlineData("VmRSS 1700 kB\n")]
    public void Unparsable_lines_leave_the_field_absent(string text)
    {
        var s = ProcStatusParser.Parse(System.Text.Encoding.UTF8.GetBytes(text));

        Assert.False(s.Has(ProcStatusFields.VmRss));
    }

    [Fact]
    public void First_occurrence_of_a_key_wins()
    {
        var s = ProcStatusParser.Parse("VmRSS:\t1 kB\nVmRSS:\t2 kB\n"u8);

        Assert.Equal(1024, s.VmRss);
    }

    private const ProcStatusFields AllFields =
        ProcStatusFields.VmRss | ProcStatusFields.VmSize | ProcStatusFields.VmHwm | ProcStatusFields.VmSwap |
        ProcStatusFields.VmPte | ProcStatusFields.VmData | ProcStatusFields.VmStk | ProcStatusFields.VmExe |
        ProcStatusFields.RssAnon | ProcStatusFields.RssFile | ProcStatusFields.RssShmem | ProcStatusFields.Threads |
        ProcStatusFields.State;
}
