using MemLens.Snapshots;
using MemLens.Snapshots.Graph;

namespace MemLens.Tests.Shared.Snapshots;

/// <summary>
/// Heap snapshots of a process that leaks through a static event, with their retention computed by the real analysis
/// (HeapGraphBuilder → DominatorTree → RetainedSizes → RetentionTreeBuilder) from a graph built here, for the dashboard
/// tests that need a snapshot with retention data without walking a real heap.
/// </summary>
/// <remarks>
/// The graph: <c>static Hub.Changed</c> → <c>System.EventHandler</c> (64 B) → <c>System.Object[]</c> (invocation list,
/// 8 B per subscriber + 32) → <c>Leaky.Session</c> × (<see cref="SessionsPerStep"/> × n), 48 B each, each holding one
/// <c>System.Byte[]</c> of 1000 B. Beside it, a pinned handle holds <see cref="Strings"/> strings of 100 B through
/// one <c>System.Object[]</c>, unchanged between snapshots.
/// </remarks>
internal static class LeakingHeap
{
    public const int SessionsPerStep = 200;
    public const int Strings = 50;
    public const long SessionBytes = 48;
    public const long PayloadBytes = 1000;

    /// <summary>The type names of the graph (index = type index).</summary>
    public static readonly string[] TypeNames = ["System.EventHandler", "System.Object[]", "Leaky.Session", "System.Byte[]", "System.String"];

    /// <summary>The labels of the roots (index = root entry).</summary>
    public static readonly string[] RootLabels = ["static Hub.Changed", "pinned handle"];

    /// <summary>What <c>Leaky.Session</c> retains after step <paramref name="n"/>: its own bytes and its payloads.</summary>
    public static long SessionsRetained(int n) => SessionsPerStep * (long)n * (SessionBytes + PayloadBytes);

    /// <summary>The snapshot after <paramref name="n"/> steps (n ≥ 1).</summary>
    /// <param name="n">Steps of the leak: <see cref="SessionsPerStep"/> sessions each.</param>
    /// <param name="typeNames">Type names to use instead of <see cref="TypeNames"/> (same order), e.g. hostile ones.</param>
    public static HeapSnapshot Snapshot(int n, string[]? typeNames = null)
    {
        var names = typeNames ?? TypeNames;
        int sessions = SessionsPerStep * n;
        var builder = new HeapGraphBuilder();
        ulong next = 0x1000;
        ulong Add(long size, int type)
        {
            ulong a = next;
            next += 0x100;
            builder.AddNode(a, size, type);
            return a;
        }

        ulong handler = Add(64, 0);
        ulong list = Add(32 + (8L * sessions), 1);
        var sessionAddresses = new ulong[sessions];
        var payloads = new ulong[sessions];
        for (int i = 0; i < sessions; i++)
        {
            sessionAddresses[i] = Add(SessionBytes, 2);
            payloads[i] = Add(PayloadBytes, 3);
        }

        ulong stringsArray = Add(32 + (8L * Strings), 1);
        var strings = new ulong[Strings];
        for (int i = 0; i < Strings; i++)
        {
            strings[i] = Add(100, 4);
        }

        builder.AddEdge(handler, list);
        for (int i = 0; i < sessions; i++)
        {
            builder.AddEdge(list, sessionAddresses[i]);
            builder.AddEdge(sessionAddresses[i], payloads[i]);
        }

        foreach (ulong s in strings)
        {
            builder.AddEdge(stringsArray, s);
        }

        builder.AddRoot(handler, HeapRootKind.StaticField, 0);
        builder.AddRoot(stringsArray, HeapRootKind.PinnedHandle, 1);
        var retention = RetentionTreeBuilder.Build(RetainedSizes.Compute(DominatorTree.Compute(builder.Build())), t => names[t], r => RootLabels[r]);
        return new HeapSnapshot(4242, "leaky", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
        [
            new TypeStat(names[0], 1, 64),
            new TypeStat(names[1], 2, 32 + (8L * sessions) + 32 + (8L * Strings)),
            new TypeStat(names[2], sessions, SessionBytes * sessions),
            new TypeStat(names[3], sessions, PayloadBytes * sessions),
            new TypeStat(names[4], Strings, 100L * Strings),
        ])
        {
            Duration = TimeSpan.FromMilliseconds(300),
            GcIndex = 200 + n,
            RuntimeVersion = "10.0.0",
            Retention = retention,
        };
    }
}
