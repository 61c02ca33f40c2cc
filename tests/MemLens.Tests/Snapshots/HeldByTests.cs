using MemLens.Snapshots;
using Xunit;

namespace MemLens.Tests.Snapshots;

/// <summary>"Held by" in a diff: the holder whose share of a type grew most, matched between snapshots by path labels.</summary>
public class HeldByTests
{
    private static HeapRetention Retention(long cacheBytes, long eventBytes, long eventSessions) => new(
        [
            new(-1, RetentionNodeKind.Root, "static Cache.Items", 1, 0, 64 + cacheBytes),
            new(0, RetentionNodeKind.Type, "System.Collections.Generic.Dictionary", 1, 64, 64 + cacheBytes),
            new(1, RetentionNodeKind.Type, "System.Byte[]", cacheBytes / 1000, cacheBytes, cacheBytes),
            new(-1, RetentionNodeKind.Root, "static Hub.Changed", 1, 0, eventSessions * 32 + eventBytes),
            new(3, RetentionNodeKind.Type, "Session", eventSessions, eventSessions * 32, eventSessions * 32 + eventBytes),
            new(4, RetentionNodeKind.Type, "System.Byte[]", eventSessions, eventBytes, eventBytes),
        ],
        new Dictionary<string, long> { ["Session"] = eventSessions * 32 + eventBytes, ["System.Byte[]"] = cacheBytes + eventBytes });

    private static HeapSnapshot Snapshot(HeapRetention? retention, long bytes, long sessions) =>
        new(1, "p", 0, [new TypeStat("System.Byte[]", 10, bytes), new TypeStat("Session", sessions, sessions * 32)]) { Retention = retention };

    [Fact]
    public void The_holder_that_grew_is_named_even_when_another_holds_more()
    {
        // The cache holds 50 KB of Byte[] in both; the event's share grows from 10 KB to 30 KB.
        var before = Snapshot(Retention(50_000, 10_000, 10), 60_000, 10);
        var after = Snapshot(Retention(50_000, 30_000, 30), 80_000, 30);

        var diff = SnapshotDiff.Compute(before, after);
        var bytes = diff.Rows.Single(r => r.Name == "System.Byte[]");
        Assert.Equal(new HeldBy("static Hub.Changed → Session", 10, 30, 10_000, 30_000), bytes.HeldBy);
        Assert.Equal(60_000, bytes.RetainedBefore);
        Assert.Equal(80_000, bytes.RetainedAfter);
        Assert.Equal("static Hub.Changed", diff.Rows.Single(r => r.Name == "Session").HeldBy!.Value.Path);
    }

    [Fact]
    public void Without_retention_in_the_first_snapshot_holders_count_from_zero_and_without_it_in_the_second_there_is_none()
    {
        var withTree = Snapshot(Retention(50_000, 30_000, 30), 80_000, 30);
        var histogramOnly = Snapshot(null, 60_000, 10);

        var growth = SnapshotDiff.Compute(histogramOnly, withTree).Rows.Single(r => r.Name == "System.Byte[]");
        Assert.Equal("static Cache.Items → System.Collections.Generic.Dictionary", growth.HeldBy!.Value.Path);
        Assert.Null(growth.RetainedBefore);
        Assert.Equal(80_000, growth.RetainedDelta);

        var none = SnapshotDiff.Compute(withTree, histogramOnly).Rows.Single(r => r.Name == "System.Byte[]");
        Assert.Null(none.HeldBy);
        Assert.Null(none.RetainedDelta);
    }

    [Fact]
    public void Sorting_by_retained_growth_puts_the_holder_type_first()
    {
        // Session's own bytes grow little, but what Sessions retain grows most.
        var before = Snapshot(Retention(50_000, 10_000, 10), 60_000, 10);
        var after = Snapshot(Retention(50_000, 30_000, 30), 80_000, 30);
        Assert.Equal("System.Byte[]", SnapshotDiff.Compute(before, after).Rows[0].Name);
        Assert.Equal("Session", SnapshotDiff.Compute(before, after, byRetained: true).Rows[0].Name);
    }
}
