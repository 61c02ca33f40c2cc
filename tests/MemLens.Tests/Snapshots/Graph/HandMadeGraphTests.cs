using MemLens.Snapshots.Graph;
using Xunit;

namespace MemLens.Tests.Snapshots.Graph;

/// <summary>Small graphs whose dominators and retained sizes are worked out by hand.</summary>
public class HandMadeGraphTests
{
    /// <summary>Builds a graph whose node i is at address 0x100 * (i + 1), each node's edges right after it, and analyses it.</summary>
    private static (HeapGraph Graph, DominatorTree Tree, RetainedSizes Retained) Analyse(long[] sizes, (int From, int To)[] edges, int[] roots, int[]? types = null)
    {
        var builder = new HeapGraphBuilder();
        for (int i = 0; i < sizes.Length; i++)
        {
            builder.AddNode(0x100UL * (ulong)(i + 1), sizes[i], types?[i] ?? 0);
            foreach (var (_, to) in edges.Where(e => e.From == i))
            {
                builder.AddEdge(0x100UL * (ulong)(i + 1), 0x100UL * (ulong)(to + 1));
            }
        }

        foreach (int r in roots)
        {
            builder.AddRoot(0x100UL * (ulong)(r + 1), HeapRootKind.StaticField, r);
        }

        var graph = builder.Build();
        var tree = DominatorTree.Compute(graph);
        return (graph, tree, RetainedSizes.Compute(tree));
    }

    [Fact]
    public void Diamond_the_join_is_held_by_the_top_not_by_either_side()
    {
        // root → A; A → B, A → C; B → D, C → D.
        var (_, tree, retained) = Analyse([1, 10, 100, 1000], [(0, 1), (0, 2), (1, 3), (2, 3)], [0]);
        Assert.Equal(0, tree.ImmediateDominator(3));
        Assert.Equal(0, tree.ImmediateDominator(1));
        Assert.Equal(0, tree.ImmediateDominator(2));
        Assert.Equal(tree.RootVertex(0), tree.ImmediateDominator(0));
        Assert.Equal(1111, retained.ByVertex[0]);
        Assert.Equal(10, retained.ByVertex[1]);
        Assert.Equal(100, retained.ByVertex[2]);
        Assert.Equal(1111, retained.ByRoot(0));
        Assert.Equal([tree.RootVertex(0), 0, 3], tree.RetentionPath(3));
    }

    [Fact]
    public void Chain_each_node_retains_its_tail_and_the_type_counts_only_the_head()
    {
        var (_, tree, retained) = Analyse([1, 2, 4, 8], [(0, 1), (1, 2), (2, 3)], [0]);
        Assert.Equal([15L, 14, 12, 8], retained.ByVertex[..4].ToArray());
        Assert.Equal(15, retained.ByType[0]);
        Assert.Equal(1, retained.TopInstancesByType[0]);
        Assert.Equal([tree.RootVertex(0), 0, 1, 2, 3], tree.RetentionPath(3));
    }

    [Fact]
    public void Cycle_back_to_the_root_node_does_not_make_it_dominated_by_its_tail()
    {
        // root → A → B → C → A, and an unreachable D → A.
        var (graph, tree, retained) = Analyse([1, 2, 4, 8], [(0, 1), (1, 2), (2, 0), (3, 0)], [0]);
        Assert.Equal(tree.RootVertex(0), tree.ImmediateDominator(0));
        Assert.Equal(0, tree.ImmediateDominator(1));
        Assert.Equal(1, tree.ImmediateDominator(2));
        Assert.Equal(DominatorTree.None, tree.ImmediateDominator(3));
        Assert.False(tree.IsReachable(3));
        Assert.Empty(tree.RetentionPath(3));
        Assert.Equal(0, retained.ByVertex[3]);
        Assert.Equal(7, retained.ByVertex[0]);
        Assert.Equal(7, retained.TotalReachable);
        Assert.Equal(4, graph.NodeCount);
    }

    [Fact]
    public void Two_roots_sharing_a_child_neither_root_retains_it()
    {
        // root1 → A → C, root2 → B → C: C is held by both, so only the super-root dominates it.
        var (_, tree, retained) = Analyse([1, 10, 100], [(0, 2), (1, 2)], [0, 1]);
        Assert.Equal(tree.SuperRoot, tree.ImmediateDominator(2));
        Assert.Equal(1, retained.ByRoot(0));
        Assert.Equal(10, retained.ByRoot(1));
        Assert.Equal(111, retained.TotalReachable);
        Assert.Equal([2], tree.RetentionPath(2));
    }

    [Fact]
    public void Same_node_named_by_two_roots_is_retained_by_neither_root()
    {
        var (_, tree, retained) = Analyse([5, 7], [(0, 1)], [0, 0]);
        Assert.Equal(tree.SuperRoot, tree.ImmediateDominator(0));
        Assert.Equal(0, retained.ByRoot(0));
        Assert.Equal(0, retained.ByRoot(1));
        Assert.Equal(12, retained.ByVertex[0]);
    }

    [Fact]
    public void Types_nested_instances_count_once_and_shared_objects_count_for_no_instance()
    {
        // root → L1 (type 1) → L2 (type 1) → P (type 2); root → H1, H2 (type 3) → S (type 2) shared by both.
        var (_, _, retained) = Analyse(
            [1, 2, 100, 10, 20, 1000, 0],
            [(6, 0), (0, 1), (1, 2), (6, 3), (6, 4), (3, 5), (4, 5)],
            [6],
            [0, 1, 2, 3, 3, 2, 4]);
        Assert.Equal(102, retained.ByType[1]);
        Assert.Equal(1, retained.TopInstancesByType[1]);
        Assert.Equal(30, retained.ByType[3]); // S (1000) is held by both H, by neither alone
        Assert.Equal(1100, retained.ByType[2]);
    }

    [Fact]
    public void Builder_refuses_beyond_its_limits_and_says_so()
    {
        var builder = new HeapGraphBuilder(maxNodes: 2, maxEdges: 1, maxRoots: 1);
        Assert.True(builder.AddNode(0x10, 8, 0));
        Assert.True(builder.AddEdge(0x10, 0x20));
        Assert.False(builder.AddEdge(0x10, 0x30));
        Assert.True(builder.AddNode(0x20, 8, 0));
        Assert.False(builder.AddNode(0x30, 8, 0));
        Assert.True(builder.AddRoot(0x10, HeapRootKind.StrongHandle));
        Assert.False(builder.AddRoot(0x20, HeapRootKind.StrongHandle));
        var graph = builder.Build();
        Assert.Equal(new HeapGraphLosses(1, 1, 1, 0, 0, 0), graph.Losses);
        Assert.True(graph.Losses.Truncated);
        Assert.Equal(2, graph.NodeCount);
        Assert.Equal([1], graph.Successors(0).ToArray());
        Assert.Throws<InvalidOperationException>(() => builder.AddNode(0x40, 8, 0));
    }

    [Fact]
    public void Builder_drops_a_duplicate_address_and_keeps_its_edges_on_the_survivor()
    {
        var builder = new HeapGraphBuilder();
        builder.AddNode(0x20, 8, 0);
        builder.AddNode(0x10, 8, 0);
        builder.AddEdge(0x10, 0x20);
        builder.AddNode(0x10, 8, 0);
        builder.AddEdge(0x10, 0x10);
        builder.AddEdge(0x20, 0x10); // source is not the node just added
        var graph = builder.Build();
        Assert.Equal(1, graph.Losses.DuplicateNodes);
        Assert.Equal(2, graph.NodeCount);
        Assert.Equal([1, 0], graph.Successors(0).ToArray());
        Assert.Equal([0], graph.Successors(1).ToArray());
    }

    [Fact]
    public void Builder_gives_each_node_the_next_targets_of_the_walk_sequence_by_its_edge_count()
    {
        // As the walk sends them: nodes (out of address order) with their edge counts, and all targets in node order,
        // a block of targets possibly before the nodes it belongs to.
        var builder = new HeapGraphBuilder();
        builder.AddNode(0x30, 8, 0, edgeCount: 2);
        builder.AddEdgeTarget(0x10);
        builder.AddEdgeTarget(0x20);
        builder.AddEdgeTarget(0x30);
        builder.AddNode(0x10, 8, 0, edgeCount: 0);
        builder.AddNode(0x20, 8, 0, edgeCount: 1);
        builder.AddEdge(0x10, 0x30); // explicit, after the implied ones of its source
        var graph = builder.Build();
        Assert.Equal([0x10UL, 0x20, 0x30], graph.Addresses.ToArray());
        Assert.Equal([2], graph.Successors(0).ToArray());
        Assert.Equal([2], graph.Successors(1).ToArray());
        Assert.Equal([0, 1], graph.Successors(2).ToArray());
        Assert.Equal(default, graph.Losses);
    }

    [Fact]
    public void Sizes_of_4_GiB_and_more_read_back_exactly_and_count_in_retained_sizes()
    {
        // Sizes are stored in 4 bytes with a side table: the values around the edge of that storage, and a 5 GiB array.
        long[] sizes = [16, uint.MaxValue - 1L, uint.MaxValue, 5L << 30, 24];
        var (graph, _, retained) = Analyse(sizes, [(0, 1), (0, 2), (0, 3), (3, 4)], [0]);
        Assert.Equal(sizes, Enumerable.Range(0, graph.NodeCount).Select(i => graph.Sizes[i]));
        Assert.Equal(sizes.Sum(), retained.ByVertex[0]);
        Assert.Equal((5L << 30) + 24, retained.ByVertex[3]);
        Assert.Throws<ArgumentOutOfRangeException>(() => graph.Sizes[sizes.Length]);
    }

    [Fact]
    public void Released_addresses_leave_the_analysis_unchanged_and_lookups_refused()
    {
        // root → A; A → B, A → C; B → D, C → D: analysed once with the addresses, once after releasing them.
        long[] sizes = [1, 10, 100, 1000];
        (int, int)[] edges = [(0, 1), (0, 2), (1, 3), (2, 3)];
        var (kept, _, expected) = Analyse(sizes, edges, [0]);
        var builder = new HeapGraphBuilder();
        for (int i = 0; i < sizes.Length; i++)
        {
            builder.AddNode(0x100UL * (ulong)(i + 1), sizes[i], 0);
            foreach (var (_, to) in edges.Where(e => e.Item1 == i))
            {
                builder.AddEdge(0x100UL * (ulong)(i + 1), 0x100UL * (ulong)(to + 1));
            }
        }

        builder.AddRoot(0x100, HeapRootKind.StaticField, 0);
        var graph = builder.Build();
        Assert.Equal(1, graph.IndexOf(0x200));
        graph.ReleaseAddresses();
        Assert.False(graph.HasAddresses);
        Assert.True(kept.HasAddresses);
        Assert.Equal(0, graph.Addresses.Length);
        Assert.Throws<InvalidOperationException>(() => graph.IndexOf(0x200));
        var retained = RetainedSizes.Compute(DominatorTree.Compute(graph));
        Assert.Equal(expected.ByVertex.ToArray(), retained.ByVertex.ToArray());
        Assert.Equal(1111, retained.ByVertex[0]);
    }

    [Fact]
    public void Builder_counts_announced_edges_that_never_came_and_targets_nobody_announced()
    {
        var cut = new HeapGraphBuilder();
        cut.AddNode(0x10, 8, 0, edgeCount: 3);
        cut.AddEdgeTarget(0x10);
        var graph = cut.Build();
        Assert.Equal(2, graph.Losses.MissingEdges);
        Assert.True(graph.Losses.Truncated);
        Assert.Equal([0], graph.Successors(0).ToArray());

        var surplus = new HeapGraphBuilder();
        surplus.AddNode(0x10, 8, 0, edgeCount: 1);
        Assert.True(surplus.AddEdgeTarget(0x10));
        Assert.True(surplus.AddEdgeTarget(0x10)); // accepted: its node may come later
        graph = surplus.Build();
        Assert.Equal(1, graph.Losses.SurplusEdges);
        Assert.True(graph.Losses.Truncated);
    }

    [Fact]
    public void Builder_over_the_edge_limit_keeps_the_prefix_on_the_right_nodes()
    {
        var builder = new HeapGraphBuilder(maxEdges: 2);
        builder.AddNode(0x10, 8, 0, edgeCount: 1);
        builder.AddNode(0x20, 8, 0, edgeCount: 2);
        builder.AddNode(0x30, 8, 0, edgeCount: 1);
        Assert.True(builder.AddEdgeTarget(0x20));
        Assert.True(builder.AddEdgeTarget(0x30));
        Assert.False(builder.AddEdgeTarget(0x10));
        Assert.False(builder.AddEdgeTarget(0x10));
        var graph = builder.Build();
        Assert.Equal([1], graph.Successors(0).ToArray());
        Assert.Equal([2], graph.Successors(1).ToArray());
        Assert.Empty(graph.Successors(2).ToArray());
        Assert.Equal(new HeapGraphLosses(0, 2, 0, 0, 0, 0), graph.Losses);
    }

    [Fact]
    public void Builder_folds_a_static_slot_inside_the_storage_array_into_a_named_root()
    {
        // A pinned Object[] at 0x100 (64 bytes) holding two statics' values at 0x200 and 0x300, rooted by a pinned handle.
        var builder = new HeapGraphBuilder();
        builder.AddNode(0x100, 64, 0, edgeCount: 2);
        builder.AddNode(0x200, 100, 1, edgeCount: 0);
        builder.AddNode(0x300, 1000, 2, edgeCount: 0);
        builder.AddEdgeTarget(0x200);
        builder.AddEdgeTarget(0x300);
        builder.AddRoot(0x100, HeapRootKind.PinnedHandle);
        builder.AddStaticSlot(0x118, 0x300, nameIndex: 7);   // folded: the array's reference to 0x300 goes
        builder.AddStaticSlot(0x120, 0x400, nameIndex: 8);   // no object at 0x400: moved since the walk
        builder.AddStaticSlot(0x128, 0x100, nameIndex: 9);   // the array does not reference itself: changed
        builder.AddStaticSlot(0x9000, 0x200, nameIndex: 10); // outside every object: a root, nothing dropped
        var graph = builder.Build();
        Assert.Equal(new StaticSlotFolding(1, 1, 1, 1), graph.Statics);
        Assert.Equal([1], graph.Successors(0).ToArray());
        Assert.Equal([0, 2, 1], graph.RootNodes.ToArray());
        Assert.Equal([-1, 7, 10], graph.RootNames.ToArray());
        Assert.Equal(HeapRootKind.StaticField, graph.RootKinds[1]);
        var retained = RetainedSizes.Compute(DominatorTree.Compute(graph));
        Assert.Equal(1000, retained.ByRoot(1));
        Assert.Equal(64, retained.ByRoot(0)); // 0x200 is held by the array and by the outside slot: neither alone
    }

    [Fact]
    public void Builder_given_an_absurd_edge_count_counts_the_missing_references_and_still_builds()
    {
        var builder = new HeapGraphBuilder();
        builder.AddNode(0x10, 8, 0, edgeCount: int.MaxValue);
        builder.AddNode(0x20, 8, 0, edgeCount: int.MaxValue);
        builder.AddEdgeTarget(0x20);
        var graph = builder.Build();
        Assert.Equal(2L * int.MaxValue - 1, graph.Losses.MissingEdges);
        Assert.True(graph.Losses.Truncated);
        Assert.Equal([1], graph.Successors(0).ToArray());
        Assert.Empty(graph.Successors(1).ToArray());
        Assert.Throws<ArgumentOutOfRangeException>(() => new HeapGraphBuilder().AddNode(0x10, 8, 0, edgeCount: -1));
    }

    [Fact]
    public void Builder_refuses_static_slots_beyond_the_root_limit_and_counts_them()
    {
        var builder = new HeapGraphBuilder(maxRoots: 1);
        builder.AddNode(0x10, 8, 0);
        Assert.True(builder.AddStaticSlot(0x1000, 0x10, 0));
        Assert.False(builder.AddStaticSlot(0x1008, 0x10, 1));
        var graph = builder.Build();
        Assert.Equal(1, graph.Losses.RootsOverLimit);
        Assert.Equal(1, graph.Statics.Unheld);
    }
}
