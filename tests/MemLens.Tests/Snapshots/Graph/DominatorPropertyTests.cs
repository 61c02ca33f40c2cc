using FsCheck;
using FsCheck.Fluent;
using MemLens.Snapshots.Graph;
using Xunit;

namespace MemLens.Tests.Snapshots.Graph;

/// <summary>
/// On random graphs (1–40 nodes; cycles, self-loops, duplicated edges, several roots, roots sharing a node,
/// unreachable nodes, references to unknown addresses, nodes given in any order) the builder, the dominators and
/// the retained sizes agree with <see cref="ReferenceDominators"/>, which applies the definitions by brute force.
/// </summary>
public class DominatorPropertyTests
{
    private static readonly Config s_config = Config.QuickThrowOnFailure.WithMaxTest(300);

    /// <summary>A random heap in the test's own terms: node i is at Addresses[i].</summary>
    public sealed record RandomHeap(long[] Sizes, int[] Types, ulong[] Addresses, (int From, int To)[] Edges, int[] Roots, ulong[] UnknownTargets, int[] ArrivalOrder, int TypeCount)
    {
        public override string ToString() =>
            $"sizes=[{string.Join(',', Sizes)}] types=[{string.Join(',', Types)}] edges=[{string.Join(' ', Edges.Select(e => $"{e.From}>{e.To}"))}] roots=[{string.Join(',', Roots)}]";
    }

    private static Gen<RandomHeap> HeapGen() =>
        from n in Gen.Choose(1, 40)
        from sizes in Gen.ArrayOf(Gen.Choose(1, 1000).Select(s => (long)s), n)
        from typeCount in Gen.Choose(1, 5)
        from types in Gen.ArrayOf(Gen.Choose(0, typeCount - 1), n)
        from slots in Gen.Shuffle(Enumerable.Range(1, 4 * n).ToArray())
        from edgeCount in Gen.Choose(0, 3 * n)
        from edges in Gen.ArrayOf(Gen.Zip(Gen.Choose(0, n - 1), Gen.Choose(0, n - 1)), edgeCount)
        from rootCount in Gen.Choose(0, Math.Min(6, n))
        from roots in Gen.ArrayOf(Gen.Choose(0, n - 1), rootCount)
        from unknown in Gen.ArrayOf(Gen.Choose(0, n - 1), Math.Min(3, n))
        from arrival in Gen.Shuffle(Enumerable.Range(0, n).ToArray())
        select new RandomHeap(
            sizes, types,
            slots.Take(n).Select(s => 0x1000UL + 16UL * (ulong)s).ToArray(),
            edges.Select(e => (e.Item1, e.Item2)).ToArray(),
            roots,
            unknown.Distinct().Select(u => (ulong)u).ToArray(),
            arrival,
            typeCount);

    /// <summary>Feeds the heap as a walk would: nodes in a shuffled order, each one's edges right after it.</summary>
    private static HeapGraph Build(RandomHeap heap)
    {
        var builder = new HeapGraphBuilder();
        foreach (int i in heap.ArrivalOrder)
        {
            builder.AddNode(heap.Addresses[i], heap.Sizes[i], heap.Types[i]);
            foreach (var (from, to) in heap.Edges.Where(e => e.From == i))
            {
                builder.AddEdge(heap.Addresses[from], heap.Addresses[to]);
            }

            if (heap.UnknownTargets.Contains((ulong)i))
            {
                builder.AddEdge(heap.Addresses[i], 0x8UL); // below every node: dangling, to be counted and dropped
            }
        }

        for (int r = 0; r < heap.Roots.Length; r++)
        {
            builder.AddRoot(heap.Addresses[heap.Roots[r]], (HeapRootKind)(r % 7), r);
        }

        builder.AddRoot(0x8UL, HeapRootKind.Other); // dangling root
        return builder.Build();
    }

    /// <summary>The graph's node index of each test node (nodes are renumbered by address).</summary>
    private static int[] NodeIndices(HeapGraph graph, RandomHeap heap) => heap.Addresses.Select(graph.IndexOf).ToArray();

    /// <summary>The reference built on the graph's own numbering, from the test's edge list (not the graph's arrays).</summary>
    private static ReferenceDominators Reference(HeapGraph graph, RandomHeap heap)
    {
        int[] index = NodeIndices(heap: heap, graph: graph);
        var sizes = new long[heap.Sizes.Length];
        for (int i = 0; i < sizes.Length; i++)
        {
            sizes[index[i]] = heap.Sizes[i];
        }

        return new ReferenceDominators(sizes, heap.Edges.Select(e => (index[e.From], index[e.To])), heap.Roots.Select(r => index[r]).ToArray());
    }

    [Fact]
    public void Builder_keeps_every_node_edge_and_root_and_counts_the_dangling_ones()
    {
        Check.One(s_config, Prop.ForAll(HeapGen().ToArbitrary(), heap =>
        {
            var graph = Build(heap);
            int[] index = NodeIndices(graph, heap);
            Assert.Equal(heap.Sizes.Length, graph.NodeCount);
            Assert.DoesNotContain(-1, index);
            for (int i = 0; i < index.Length; i++)
            {
                Assert.Equal(heap.Sizes[i], graph.Sizes[index[i]]);
                Assert.Equal(heap.Types[i], graph.TypeIndices[index[i]]);
                // Each node keeps its references in the order they were given, duplicates included.
                Assert.Equal(heap.Edges.Where(e => e.From == i).Select(e => index[e.To]), graph.Successors(index[i]).ToArray());
            }

            Assert.Equal(heap.Edges.Length, graph.EdgeCount);
            Assert.Equal(heap.UnknownTargets.Length, graph.Losses.DanglingEdges);
            Assert.Equal(1, graph.Losses.DanglingRoots);
            Assert.Equal(heap.Roots.Select(r => index[r]), graph.RootNodes.ToArray());
            Assert.Equal(Enumerable.Range(0, heap.Roots.Length), graph.RootNames.ToArray());
            Assert.False(graph.Losses.Truncated);
        }));
    }

    [Fact]
    public void Immediate_dominators_chain_equals_the_brute_force_strict_dominators()
    {
        Check.One(s_config, Prop.ForAll(HeapGen().ToArbitrary(), heap =>
        {
            var graph = Build(heap);
            var tree = DominatorTree.Compute(graph);
            var reference = Reference(graph, heap);
            var reachable = reference.Reachable();
            Assert.Equal(reference.VertexCount, tree.VertexCount);
            Assert.Equal(reachable.Count(r => r), tree.ReachableCount);
            for (int v = 0; v < tree.VertexCount; v++)
            {
                if (v == tree.SuperRoot)
                {
                    continue;
                }

                Assert.Equal(reachable[v], tree.IsReachable(v));
                var chain = new HashSet<int>();
                for (int d = tree.ImmediateDominator(v); d != DominatorTree.None; d = tree.ImmediateDominator(d))
                {
                    chain.Add(d);
                }

                Assert.True(reference.StrictDominators(v).SetEquals(chain), $"vertex {v}: reference {{{string.Join(',', reference.StrictDominators(v))}}}, computed {{{string.Join(',', chain)}}}");
            }
        }));
    }

    [Fact]
    public void Retained_sizes_equal_what_removing_the_vertex_frees()
    {
        Check.One(s_config, Prop.ForAll(HeapGen().ToArbitrary(), heap =>
        {
            var graph = Build(heap);
            var retained = RetainedSizes.Compute(DominatorTree.Compute(graph));
            var reference = Reference(graph, heap);
            for (int v = 0; v < reference.VertexCount; v++)
            {
                Assert.Equal(reference.Retained(v), retained.ByVertex[v]);
            }

            // Per root: what that root entry alone keeps alive.
            for (int r = 0; r < graph.RootCount; r++)
            {
                Assert.Equal(reference.Retained(graph.NodeCount + r), retained.ByRoot(r));
            }
        }));
    }

    [Fact]
    public void Retained_by_type_is_the_union_of_the_instances_dominator_subtrees()
    {
        Check.One(s_config, Prop.ForAll(HeapGen().ToArbitrary(), heap =>
        {
            var graph = Build(heap);
            var retained = RetainedSizes.Compute(DominatorTree.Compute(graph));
            var reference = Reference(graph, heap);
            var reachable = reference.Reachable();
            for (int t = 0; t < graph.TypeCount; t++)
            {
                var instances = Enumerable.Range(0, graph.NodeCount).Where(v => graph.TypeIndices[v] == t && reachable[v]).ToList();
                var dominatedByAny = Enumerable.Range(0, graph.NodeCount).Where(u => instances.Any(x => reference.Dominates(x, u)));
                Assert.Equal(dominatedByAny.Sum(u => graph.Sizes[u]), retained.ByType[t]);
                long top = instances.Count(x => !instances.Any(y => y != x && reference.Dominates(y, x)));
                Assert.Equal(top, retained.TopInstancesByType[t]);
            }
        }));
    }

    [Fact]
    public void Retention_path_is_the_dominator_chain_from_the_top()
    {
        Check.One(s_config, Prop.ForAll(HeapGen().ToArbitrary(), heap =>
        {
            var graph = Build(heap);
            var tree = DominatorTree.Compute(graph);
            var reference = Reference(graph, heap);
            for (int v = 0; v < graph.NodeCount; v++)
            {
                int[] path = tree.RetentionPath(v);
                var strict = reference.StrictDominators(v);
                strict.Remove(reference.SuperRoot);
                if (!tree.IsReachable(v))
                {
                    Assert.Empty(path);
                    continue;
                }

                Assert.Equal(v, path[^1]);
                Assert.True(strict.SetEquals(path[..^1]));
                // Top first: each entry dominates the next.
                for (int i = 0; i + 1 < path.Length; i++)
                {
                    Assert.True(reference.Dominates(path[i], path[i + 1]));
                }
            }
        }));
    }
}
