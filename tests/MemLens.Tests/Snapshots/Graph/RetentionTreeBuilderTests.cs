using MemLens.Snapshots;
using MemLens.Snapshots.Graph;
using Xunit;

namespace MemLens.Tests.Snapshots.Graph;

/// <summary>The retention tree groups dominator chains by type: worked out by hand on small graphs.</summary>
public class RetentionTreeBuilderTests
{
    private static readonly string[] s_types = ["Hub", "System.EventHandler", "System.Object[]", "Session", "System.Byte[]", "Node", "Cache"];

    private static HeapRetention Build((long Size, int Type)[] nodes, (int From, int To)[] edges, (int Node, string Label)[] roots, int maxNodes = 20_000)
    {
        var builder = new HeapGraphBuilder();
        for (int i = 0; i < nodes.Length; i++)
        {
            builder.AddNode(0x100UL * (ulong)(i + 1), nodes[i].Size, nodes[i].Type);
            foreach (var (_, to) in edges.Where(e => e.From == i))
            {
                builder.AddEdge(0x100UL * (ulong)(i + 1), 0x100UL * (ulong)(to + 1));
            }
        }

        for (int r = 0; r < roots.Length; r++)
        {
            builder.AddRoot(0x100UL * (ulong)(roots[r].Node + 1), HeapRootKind.StaticField, r);
        }

        var tree = DominatorTree.Compute(builder.Build());
        return RetentionTreeBuilder.Build(RetainedSizes.Compute(tree), t => s_types[t], r => roots[r].Label, maxNodes);
    }

    [Fact]
    public void An_event_with_subscribers_reads_as_one_path_from_the_static_field_to_the_payload()
    {
        // static Hub.Changed → EventHandler(24) → Object[](40) → 3 × Session(32) → Byte[](1000 each).
        var retention = Build(
            [(24, 1), (40, 2), (32, 3), (32, 3), (32, 3), (1000, 4), (1000, 4), (1000, 4)],
            [(0, 1), (1, 2), (1, 3), (1, 4), (2, 5), (3, 6), (4, 7)],
            [(0, "static Hub.Changed")]);

        int bytes = Assert.Single(retention.NodesOfType("System.Byte[]"));
        Assert.Equal("static Hub.Changed → System.EventHandler → System.Object[] → Session → System.Byte[]", retention.PathText(bytes));
        Assert.Equal(3, retention.Nodes[bytes].Count);
        Assert.Equal(3000, retention.Nodes[bytes].Bytes);
        int session = retention.Nodes[bytes].Parent;
        Assert.Equal(3, retention.Nodes[session].Count);
        Assert.Equal(3 * 1032, retention.Nodes[session].RetainedBytes);
        Assert.Equal(24 + 40 + 3 * 1032, retention.Nodes[0].RetainedBytes);
        Assert.Equal(RetentionNodeKind.Root, retention.Nodes[0].Kind);
        Assert.Equal("static Hub.Changed → System.EventHandler → System.Object[] → Session", retention.MainHolder("System.Byte[]"));
        Assert.Equal(3 * 1032, retention.RetainedBytesByType["Session"]);
    }

    [Fact]
    public void A_linked_list_is_one_node_however_long_and_counts_its_bytes_once()
    {
        // static Cache.Head → Node → Node → … (1000 nodes of 10 bytes).
        const int Length = 1000;
        var nodes = Enumerable.Repeat((10L, 5), Length).ToArray();
        var edges = Enumerable.Range(0, Length - 1).Select(i => (i, i + 1)).ToArray();
        var retention = Build(nodes, edges, [(0, "static Cache.Head")]);

        Assert.Equal(2, retention.Nodes.Count);
        Assert.Equal(new RetentionNode(0, RetentionNodeKind.Type, "Node", Length, 10 * Length, 10 * Length), retention.Nodes[1]);
        Assert.Equal(10 * Length, retention.RetainedBytesByType["Node"]);
    }

    [Fact]
    public void Objects_of_two_roots_and_of_none_are_grouped_apart_and_said_so()
    {
        // A(1) and B(2) are roots that both reach C(4); D(8) is reached by nothing.
        var retention = Build([(1, 6), (2, 6), (4, 3), (8, 4)], [(0, 2), (1, 2)], [(0, "static A.X"), (1, "static B.Y")]);

        int shared = Assert.Single(retention.NodesOfType("Session"));
        Assert.Equal(HeapRetention.SeveralRoots + " → Session", retention.PathText(shared));
        int lost = Assert.Single(retention.NodesOfType("System.Byte[]"));
        Assert.Equal(HeapRetention.NoRootFound + " → System.Byte[]", retention.PathText(lost));
        Assert.Equal(1, retention.UnrootedObjects);
        Assert.Equal(8, retention.UnrootedBytes);
        // Each root holds its own object of type Cache alone: two nodes, one per root.
        Assert.Equal([2L, 1L], retention.NodesOfType("Cache").Select(i => retention.Nodes[i].RetainedBytes));
    }

    [Fact]
    public void Past_the_node_limit_the_smallest_paths_are_counted_as_omitted_and_every_kept_node_keeps_its_parent()
    {
        // One root holding 5 Object[]s, each holding a different-sized Byte[] under a different type.
        var nodes = new List<(long, int)> { (8, 0) };
        var edges = new List<(int, int)>();
        for (int i = 0; i < 5; i++)
        {
            nodes.Add((16, i + 1 == 4 ? 5 : i + 1));
            nodes.Add((100L << i, 4));
            edges.Add((0, nodes.Count - 2));
            edges.Add((nodes.Count - 2, nodes.Count - 1));
        }

        var retention = Build([.. nodes], [.. edges], [(0, "static Hub.All")], maxNodes: 4);
        Assert.True(retention.Nodes.Count >= 4);
        for (int i = 0; i < retention.Nodes.Count; i++)
        {
            Assert.True(retention.Nodes[i].Parent < i);
        }

        Assert.True(retention.OmittedNodes > 0);
        Assert.True(retention.OmittedObjects > 0);
        long keptBytes = retention.Nodes.Sum(n => n.Bytes);
        Assert.Equal(nodes.Sum(n => n.Item1), keptBytes + retention.OmittedBytes);
        // The biggest payload (800 + 1600 bytes under the two Object[]s of type "Node", grouped) is kept.
        Assert.Contains(retention.NodesOfType("System.Byte[]"), i => retention.Nodes[i].Bytes == 2400);
    }
}
