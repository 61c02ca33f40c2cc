using MemLens.Tool.Snapshots;
using Xunit;

namespace MemLens.Tests.Tool;

/// <summary>The holder paths shown in terminal tables: short type names, long chains cut to root and last steps.</summary>
public class HolderTextTests
{
    [Theory]
    [InlineData("System.Byte[]", "Byte[]")]
    [InlineData("App.Session", "Session")]
    [InlineData("System.Collections.Generic.Dictionary`2[[System.String, System.Private.CoreLib],[App.Session, App]]", "Dictionary<…>")]
    [InlineData("System.Collections.Generic.List`1[[App.Session, App]][]", "List<…>[]")]
    [InlineData("NoNamespace", "NoNamespace")]
    [InlineData("App.Outer+Inner", "Outer+Inner")]
    public void Type_names_lose_their_namespace_and_generic_arguments(string name, string expected) =>
        Assert.Equal(expected, HolderText.ShortType(name));

    [Fact]
    public void A_short_path_keeps_every_step_and_the_root_as_written()
    {
        Assert.Equal("static Hub.Changed → EventHandler → Object[] → Session",
            HolderText.Short("static Hub.Changed → System.EventHandler → System.Object[] → App.Session"));
        Assert.Equal("[several roots]", HolderText.Short("[several roots]"));
    }

    [Fact]
    public void A_long_path_keeps_its_root_and_last_two_steps()
    {
        Assert.Equal("static Cache.Items → … → Node → Session",
            HolderText.Short("static Cache.Items → App.Cache → System.Collections.Generic.Dictionary`2[[A, B]] → App.Entry[] → App.Node → App.Session"));
    }

    [Fact]
    public void A_path_still_too_long_is_cut_with_an_ellipsis()
    {
        string longType = "App." + new string('X', 100);
        string shortened = HolderText.Short("static A.B → App.C → " + longType, max: 40);
        Assert.Equal(40, shortened.Length);
        Assert.StartsWith("static A.B → … → XXX", shortened, StringComparison.Ordinal);
        Assert.EndsWith("…", shortened, StringComparison.Ordinal);
    }
}
