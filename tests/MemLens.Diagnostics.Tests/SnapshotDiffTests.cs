using MemLens.Snapshots;
using Xunit;

namespace MemLens.Diagnostics.Tests;

public class SnapshotDiffTests
{
    [Fact]
    public void Rows_are_sorted_by_bytes_added_and_types_missing_on_one_side_count_zero()
    {
        var a = new HeapSnapshot(1, "app", 1000, [new("Kept", 10, 1000), new("Gone", 5, 500), new("Grows", 1, 100)]);
        var b = new HeapSnapshot(1, "app", 2000, [new("Kept", 10, 1000), new("Grows", 50, 5000), new("New", 3, 300)]);

        var diff = SnapshotDiff.Compute(a, b);

        Assert.Equal(["Grows", "New", "Kept", "Gone"], diff.Rows.Select(r => r.Name));
        Assert.Equal(4900, diff.Rows[0].BytesDelta);
        Assert.Equal(49, diff.Rows[0].CountDelta);
        Assert.Equal(new TypeGrowth("New", 0, 3, 0, 300), diff.Rows[1]);
        Assert.Equal(-500, diff.Rows[3].BytesDelta);
        Assert.Equal(6300 - 1600, diff.BytesDelta);
    }

    [Fact]
    public void Snapshot_orders_types_biggest_first_and_sums_totals()
    {
        var s = new HeapSnapshot(1, "app", 0, [new("B", 1, 10), new("A", 2, 30), new("C", 3, 10)]);

        Assert.Equal(["A", "B", "C"], s.Types.Select(t => t.Name));
        Assert.Equal(6, s.TotalObjects);
        Assert.Equal(50, s.TotalBytes);
    }
}
