using MemLens.Snapshots.Graph;
using Xunit;

namespace MemLens.Tests.Snapshots.Graph;

/// <summary>
/// Millions of nodes: nothing in the build or the analysis recurses, so a chain as deep as the heap cannot
/// overflow the stack. (10 M nodes are measured by the bench's --heap-graph report; here 1.2 M keeps the run short.)
/// </summary>
public class ScaleTests
{
    // A little over the builder's 1 M-item chunk (2^20), so nodes and edges both span chunks.
    private const int Nodes = 1_200_000;

    [Fact]
    public void A_1_2_million_node_chain_is_one_dominator_chain()
    {
        var builder = new HeapGraphBuilder();
        for (int i = 0; i < Nodes; i++)
        {
            builder.AddNode(16UL * (ulong)(i + 1), 24, i % 3);
            if (i + 1 < Nodes)
            {
                builder.AddEdge(16UL * (ulong)(i + 1), 16UL * (ulong)(i + 2));
            }
        }

        builder.AddRoot(16, HeapRootKind.StaticField, 0);
        var tree = DominatorTree.Compute(builder.Build());
        var retained = RetainedSizes.Compute(tree);
        Assert.Equal(Nodes + 2, tree.ReachableCount);
        Assert.Equal(Nodes - 2, tree.ImmediateDominator(Nodes - 1));
        Assert.Equal(24L * Nodes, retained.ByVertex[0]);
        Assert.Equal(24L * Nodes, retained.ByRoot(0));
        Assert.Equal(24L * Nodes, retained.ByType[0]);
        Assert.Equal(24L * (Nodes - 1), retained.ByType[1]);
        Assert.Equal(Nodes + 1, tree.RetentionPath(Nodes - 1, maxLength: int.MaxValue).Length);
    }

    [Fact]
    public void A_1_2_million_node_random_graph_keeps_its_totals()
    {
        var builder = new HeapGraphBuilder();
        var rng = new Random(15);
        for (int i = 0; i < Nodes; i++)
        {
            ulong address = 16UL * (ulong)(i + 1);
            builder.AddNode(address, 8 + rng.Next(100), rng.Next(50), edgeCount: 2);
            // Two references each, some backwards (cycles), most forwards; node 0 reaches everything via i → i + 1.
            // Given as the walk gives them: targets in node order, the source implied by the edge counts.
            builder.AddEdgeTarget(16UL * (ulong)Math.Min(i + 2, Nodes));
            builder.AddEdgeTarget(16UL * (ulong)(rng.Next(Nodes) + 1));
        }

        for (int r = 0; r < 100; r++)
        {
            builder.AddRoot(16UL * (ulong)(rng.Next(Nodes) + 1), HeapRootKind.PinnedHandle);
        }

        builder.AddRoot(16, HeapRootKind.StaticField);
        var graph = builder.Build();
        var tree = DominatorTree.Compute(graph);
        var retained = RetainedSizes.Compute(tree);
        long all = 0;
        foreach (long s in graph.Sizes)
        {
            all += s;
        }

        Assert.Equal(2 * Nodes, graph.EdgeCount);
        Assert.Equal(Nodes + 101 + 1, tree.ReachableCount);
        Assert.Equal(all, retained.TotalReachable);
        // Every reachable node's retained size is at least its own size, and no more than everything.
        for (int v = 0; v < Nodes; v++)
        {
            Assert.InRange(retained.ByVertex[v], graph.Sizes[v], all);
        }
    }
}
