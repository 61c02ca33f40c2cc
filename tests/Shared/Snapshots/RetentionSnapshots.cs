using MemLens.Snapshots;
using MemLens.Snapshots.Graph;

namespace MemLens.Tests.Shared.Snapshots;

/// <summary>
/// Heap snapshots with retention data built the way the snapshotter builds them (HeapGraphBuilder → DominatorTree →
/// RetainedSizes → RetentionTreeBuilder) from a constructed heap: a program whose <c>Session</c>s stay subscribed to a
/// static event, beside a static cache of strings and one object no root reaches.
/// </summary>
internal static class RetentionSnapshots
{
    public const string SessionType = "App.Session";
    public const string EventRoot = "static Hub.Changed";
    public const string CacheRoot = "static Cache.Items";

    private static readonly string[] s_types =
    [
        "System.EventHandler", "System.Object[]", SessionType, "System.Byte[]",
        "System.Collections.Generic.Dictionary`2[[System.String, System.Private.CoreLib],[System.String, System.Private.CoreLib]]",
        "System.String", "Other.Session",
    ];

    /// <summary>
    /// <paramref name="sessions"/> Sessions (48 B, each holding a 1,024 B Byte[]) in an Object[] of an EventHandler held by
    /// <c>static Hub.Changed</c>; <paramref name="cached"/> Strings (32 B) in a Dictionary held by <c>static Cache.Items</c>;
    /// one unrooted Byte[] of 100 B; one <c>Other.Session</c> (16 B) in the cache.
    /// </summary>
    public static HeapSnapshot EventLeak(int sessions, int cached, long takenAtMs = 1_700_000_000_000, int maxNodes = 20_000)
    {
        var builder = new HeapGraphBuilder();
        var nodes = new List<(long Size, int Type)>();
        var edges = new List<(int From, int To)>();
        int Add(long size, int type)
        {
            nodes.Add((size, type));
            return nodes.Count - 1;
        }

        int handler = Add(64, 0);
        int array = Add(24 + (8L * sessions), 1);
        edges.Add((handler, array));
        for (int i = 0; i < sessions; i++)
        {
            int s = Add(48, 2);
            int b = Add(1024, 3);
            edges.Add((array, s));
            edges.Add((s, b));
        }

        int dict = Add(80, 4);
        for (int i = 0; i < cached; i++)
        {
            edges.Add((dict, Add(32, 5)));
        }

        edges.Add((dict, Add(16, 6)));
        Add(100, 3); // reached by no root

        for (int i = 0; i < nodes.Count; i++)
        {
            builder.AddNode(Address(i), nodes[i].Size, nodes[i].Type);
        }

        foreach (var (from, to) in edges)
        {
            builder.AddEdge(Address(from), Address(to));
        }

        builder.AddRoot(Address(handler), HeapRootKind.StaticField, 0);
        builder.AddRoot(Address(dict), HeapRootKind.StaticField, 1);
        string[] rootNames = [EventRoot, CacheRoot];

        var tree = DominatorTree.Compute(builder.Build());
        var retention = RetentionTreeBuilder.Build(RetainedSizes.Compute(tree), t => s_types[t], r => rootNames[r], maxNodes);
        var types = nodes.GroupBy(n => n.Type).Select(g => new TypeStat(s_types[g.Key], g.Count(), g.Sum(n => n.Size)));
        return new HeapSnapshot(4242, "orders-api", takenAtMs, types)
        {
            GcIndex = 3,
            Duration = TimeSpan.FromMilliseconds(120),
            RuntimeVersion = "10.0.12",
            Retention = retention,
        };
    }

    private static ulong Address(int i) => 0x1000UL + (0x100UL * (ulong)i);
}
