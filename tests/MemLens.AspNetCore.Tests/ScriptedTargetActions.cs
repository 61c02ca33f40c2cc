using MemLens.Actions;
using MemLens.Events;
using MemLens.Metrics;
using MemLens.Sampling;
using MemLens.Snapshots;

namespace MemLens.AspNetCore.Tests;

/// <summary>
/// An <see cref="ITargetActions"/> for the HTTP contract tests: returns the GC and snapshots it is given, and can be
/// made to wait or fail. The real implementation (MemLens.Diagnostics.DotNetTargetActions over EventPipe) is tested
/// end to end against the demo process (tests/MemLens.EndToEnd.Tests/Dashboard/HeapSnapshotBrowserTests.cs).
/// </summary>
internal sealed class ScriptedTargetActions : ITargetActions
{
    private int _snapshots;
    private int _calls;

    /// <summary>What CollectAsync does; by default a full blocking GC that took the heap from 400 MiB to 100 MiB.</summary>
    public Func<CancellationToken, Task<InducedGc>> Collect { get; set; } = _ => Task.FromResult(FullGc(812, 400L << 20, 100L << 20));

    /// <summary>What SnapshotAsync does; by default <see cref="Heap"/> of the next number (1, 2, …).</summary>
    public Func<int, IProgress<SnapshotProgress>?, CancellationToken, Task<HeapSnapshot>> Snapshot { get; set; } =
        (n, _, _) => Task.FromResult(Heap(n));

    /// <summary>Collections and snapshots asked for so far.</summary>
    public int Calls => Volatile.Read(ref _calls);

    public Task<InducedGc> CollectAsync(CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _calls);
        return Collect(cancellationToken);
    }

    public Task<HeapSnapshot> SnapshotAsync(IProgress<SnapshotProgress>? progress, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _calls);
        return Snapshot(Interlocked.Increment(ref _snapshots), progress, cancellationToken);
    }

    public static InducedGc FullGc(long index, long heapBefore, long heapAfter) => new(
        new GcEvent(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), index)
        {
            Generation = 2,
            Kind = GcKind.FullBlocking,
            HasDetails = true,
            Compacted = true,
            Pause = TimeSpan.FromMilliseconds(12),
            HeapSizeBeforeBytes = heapBefore,
            HeapSizeAfterBytes = heapAfter,
            CommittedBytes = heapAfter + (8L << 20),
            Origin = "eventpipe",
        },
        TimeSpan.FromMilliseconds(40));

    /// <summary>A heap where <c>Leaky.Order</c> grows by 1,000 objects of 100 bytes per snapshot and <c>Shrinking</c> loses some.</summary>
    public static HeapSnapshot Heap(int n) => new(4242, "fake", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
    [
        new TypeStat("System.String", 5000, 300_000),
        new TypeStat("Leaky.Order", 1000L * n, 100_000L * n),
        new TypeStat("Shrinking", 100 - n, 10_000 - (1000L * n)),
        new TypeStat("System.Byte[]", 10, 1_000_000),
    ])
    {
        Duration = TimeSpan.FromMilliseconds(250),
        GcIndex = 100 + n,
        RuntimeVersion = "10.0.0",
    };
}

/// <summary>RSS and PSS that a test sets, sampled like /proc would be.</summary>
internal sealed class SettableMemorySource : IMetricSource
{
    public long Rss { get; set; } = 500L << 20;

    public long Pss { get; set; } = 480L << 20;

    public string Name => "fake-procfs";

    public TimeSpan Interval => TimeSpan.FromSeconds(1);

    public void Sample(ISampleWriter writer)
    {
        writer.Write(MetricCatalog.ProcessRss, Rss);
        writer.Write(MetricCatalog.ProcessPss, Pss);
    }

    public void Dispose()
    {
    }
}
