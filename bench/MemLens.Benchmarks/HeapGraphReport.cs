using System.Diagnostics;
using System.Globalization;
using MemLens.Snapshots.Graph;

namespace MemLens.Benchmarks;

/// <summary>
/// `--heap-graph [nodes] [chain|random]`: the analysis core of a heap snapshot without the heap walk. Feeds a
/// <see cref="HeapGraphBuilder"/> a synthetic heap as the walk would (nodes in address order but shuffled in
/// 64 K-node runs, each node's two references right after it, 1 root per 1,000 nodes), then times Build,
/// DominatorTree.Compute and RetainedSizes.Compute, and prints per node the managed memory the results keep, the bytes
/// allocated on the way (transient arrays included) and this process's peak RSS. Run one size per process so the peak RSS belongs to that size.
/// Shapes: `random` (default) — one reference to the next node and one to a random node; `chain` — one
/// reference to the next node only (the deepest dominator tree there is).
/// </summary>
internal static class HeapGraphReport
{
    public static void Run(int nodes, string shape)
    {
        bool chain = shape == "chain";
        long baseline = GC.GetTotalMemory(forceFullCollection: true);
        long rssBefore = PeakRssKiB();
        long allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var rng = new Random(15);
        var total = Stopwatch.StartNew();
        var builder = new HeapGraphBuilder(maxNodes: nodes, maxEdges: 2 * nodes, maxRoots: nodes / 1000 + 1);
        const int Run = 65_536;
        var order = new int[Run];
        for (int start = 0; start < nodes; start += Run)
        {
            int count = Math.Min(Run, nodes - start);
            for (int i = 0; i < count; i++)
            {
                order[i] = start + i;
            }

            rng.Shuffle(order.AsSpan(0, count));
            for (int k = 0; k < count; k++)
            {
                int i = order[k];
                ulong address = Address(i);
                builder.AddNode(address, 24 + 8 * (i % 8), i % 1000, edgeCount: chain ? 1 : 2);
                builder.AddEdgeTarget(Address(Math.Min(i + 1, nodes - 1)));
                if (!chain)
                {
                    builder.AddEdgeTarget(Address(rng.Next(nodes)));
                }
            }
        }

        for (int r = 0; r <= nodes / 1000; r++)
        {
            builder.AddRoot(Address(chain ? 0 : rng.Next(nodes)), HeapRootKind.StaticField, r);
        }

        builder.AddRoot(Address(0), HeapRootKind.StrongHandle);
        double feed = total.Elapsed.TotalSeconds;
        var graph = builder.Build();
        double build = total.Elapsed.TotalSeconds - feed;
        graph.ReleaseAddresses(); // as GraphCapture does: the analysis needs no addresses
        GC.Collect(); // as GraphCapture does between steps (not counted in the steps' times, counted in the total)
        double analysed = total.Elapsed.TotalSeconds;
        var tree = DominatorTree.Compute(graph);
        double dominators = total.Elapsed.TotalSeconds - analysed;
        var retained = RetainedSizes.Compute(tree);
        double sizes = total.Elapsed.TotalSeconds - analysed - dominators;
        total.Stop();
        long allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        long kept = GC.GetTotalMemory(forceFullCollection: true) - baseline;
        long peak = PeakRssKiB();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {nodes:N0} {shape} | {graph.EdgeCount:N0} | {feed:0.00} s | {build:0.00} s | {dominators:0.00} s | {sizes:0.00} s | {total.Elapsed.TotalSeconds:0.00} s | {(double)kept / nodes:0.0} B | {(double)allocated / nodes:0} B | {peak * 1024.0 / nodes:0.0} B ({peak / 1024.0:0} MiB; {rssBefore / 1024.0:0} MiB before) | {tree.ReachableCount - 1:N0} |"));
        GC.KeepAlive(retained);
    }

    public static void PrintHeader()
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $".NET {Environment.Version}, {Environment.ProcessorCount} cores"));
        Console.WriteLine("| nodes, shape | edges | feed the builder | Build | DominatorTree | RetainedSizes | total | managed memory kept per node (graph + tree + sizes) | allocated per node, all steps | peak RSS per node | reachable vertices |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|---|");
    }

    // Objects 8-byte aligned and 24–80 bytes apart, as on a real heap.
    private static ulong Address(int i) => 0x7f00_0000_0000UL + 48UL * (ulong)i;

    private static long PeakRssKiB()
    {
        var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        return long.Parse(line["VmHWM:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
    }
}
