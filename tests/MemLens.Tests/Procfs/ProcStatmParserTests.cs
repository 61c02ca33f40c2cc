using MemLens.Procfs;
using Xunit;

namespace MemLens.Tests.Procfs;

public class ProcStatmParserTests
{
    [Fact]
    public void Sleep_statm_is_pages_times_page_size()
    {
        var m = ProcStatmParser.Parse(Fixture.Bytes("sleep.statm"), 4096);

        Assert.Equal(730L * 4096, m.Size);
        Assert.Equal(451L * 4096, m.Resident);
        Assert.Equal(424L * 4096, m.Shared);
        Assert.Equal(5L * 4096, m.Text);
        Assert.Equal(0, m.Lib);
        Assert.Equal(89L * 4096, m.Data);
        Assert.Equal(0, m.Dirty);
        Assert.Equal((ProcStatmFields)0x7F, m.Present);
    }

    [Fact]
    public void Statm_and_status_of_the_same_capture_agree()
    {
        foreach (string name in new[] { "sleep", "perl64m", "dotnet" })
        {
            var m = ProcStatmParser.Parse(Fixture.Bytes(name + ".statm"), 4096);
            var s = ProcStatusParser.Parse(Fixture.Bytes(name + ".status"));

            Assert.Equal(s.VmRss, m.Resident);
            Assert.Equal(s.VmSize, m.Size);
            Assert.Equal(s.RssFile + s.RssShmem, m.Shared);
            Assert.Equal(s.VmData + s.VmStk, m.Data);
        }
    }

    [Fact]
    public void Page_size_is_applied()
    {
        var m = ProcStatmParser.Parse("10 5 1 1 0 2 0\n"u8, 65536);

        Assert.Equal(5L * 65536, m.Resident);
    }

    [Fact]
    public void Garbled_field_stops_parsing_and_later_fields_are_absent()
    {
        var m = ProcStatmParser.Parse("10 5 x 1 0 2 0\n"u8, 4096);

        Assert.True(m.Has(ProcStatmFields.Size | ProcStatmFields.Resident));
        Assert.False(m.Has(ProcStatmFields.Shared));
        Assert.False(m.Has(ProcStatmFields.Data));
    }

    [Fact]
    public void Unterminated_line_is_truncated_and_gives_nothing()
    {
        Assert.Equal(ProcStatmFields.None, ProcStatmParser.Parse("730 451 424 5 0 89 0"u8, 4096).Present);
        Assert.Equal(ProcStatmFields.None, ProcStatmParser.Parse(""u8, 4096).Present);
    }
}
