using MemLens.Procfs;
using Xunit;

namespace MemLens.Tests.Procfs;

public class SmapsRollupParserTests
{
    private const long KiB = 1024;

    [Fact]
    public void Dotnet_rollup_gives_every_field()
    {
        var r = SmapsRollupParser.Parse(Fixture.Bytes("dotnet.smaps_rollup"));

        Assert.Equal(466948 * KiB, r.Rss);
        Assert.Equal(464572 * KiB, r.Pss);
        Assert.Equal(434020 * KiB, r.PssAnon);
        Assert.Equal(26952 * KiB, r.PssFile);
        Assert.Equal(3599 * KiB, r.PssShmem);
        Assert.Equal(3396 * KiB, r.SharedClean);
        Assert.Equal(32 * KiB, r.SharedDirty);
        Assert.Equal(25968 * KiB, r.PrivateClean);
        Assert.Equal(437552 * KiB, r.PrivateDirty);
        Assert.Equal(0, r.LazyFree);
        Assert.Equal(0, r.AnonHugePages);
        Assert.Equal(0, r.Swap);
        Assert.Equal(0, r.SwapPss);
        Assert.Equal((SmapsRollupFields)0x1FFF, r.Present);
        Assert.True(r.HasUss);
        Assert.Equal((25968 + 437552) * KiB, r.Uss);
    }

    [Fact]
    public void Sleep_rollup_shares_most_of_its_pages()
    {
        var r = SmapsRollupParser.Parse(Fixture.Bytes("sleep.smaps_rollup"));

        Assert.Equal(1804 * KiB, r.Rss);
        Assert.Equal(251 * KiB, r.Pss);
        Assert.Equal(108 * KiB, r.PssAnon);
        Assert.Equal(143 * KiB, r.PssFile);
        Assert.Equal(1696 * KiB, r.SharedClean);
        Assert.Equal(108 * KiB, r.Uss);
        Assert.True(r.Uss <= r.Pss && r.Pss <= r.Rss);
    }

    [Fact]
    public void Kernel_before_5_7_lacks_the_Pss_split_and_it_is_absent()
    {
        var r = SmapsRollupParser.Parse(Fixture.Bytes("handmade.kernel-4.14.smaps_rollup"));

        Assert.False(r.Has(SmapsRollupFields.PssAnon));
        Assert.False(r.Has(SmapsRollupFields.PssFile));
        Assert.False(r.Has(SmapsRollupFields.PssShmem));
        Assert.Equal(15360 * KiB, r.Pss);
        Assert.Equal(1024 * KiB, r.LazyFree);
        Assert.Equal(4096 * KiB, r.AnonHugePages);
        Assert.Equal(512 * KiB, r.Swap);
        Assert.Equal(256 * KiB, r.SwapPss);
        Assert.Equal(14336 * KiB, r.Uss);
    }

    [Fact]
    public void Uss_needs_both_private_fields()
    {
        var r = SmapsRollupParser.Parse("Private_Clean:   4 kB\n"u8);

        Assert.False(r.HasUss);
    }
}
