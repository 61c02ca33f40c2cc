using MemLens.Diagnostics.Snapshots;
using MemLens.Snapshots;
using Xunit;

namespace MemLens.Diagnostics.Tests;

public class TypeHistogramTests
{
    [Fact]
    public void Names_arriving_after_the_objects_still_name_them_and_ids_with_one_name_merge()
    {
        var h = new TypeHistogram();
        h.AddObject(0x10, 24);
        h.AddObject(0x10, 24);
        h.AddObject(0x20, 100);
        h.AddObject(0x30, 8);
        h.AddTypeName(0x10, "Shop.Order");
        h.AddTypeName(0x20, "Shop.Order"); // the same type loaded twice (two load contexts)

        var stats = h.ToTypeStats().OrderBy(s => s.Name, StringComparer.Ordinal).ToList();

        Assert.Equal([new TypeStat("<type 0x30>", 1, 8), new TypeStat("Shop.Order", 3, 148)], stats);
        Assert.Equal(4, h.Objects);
        Assert.Equal(156, h.Bytes);
    }
}
