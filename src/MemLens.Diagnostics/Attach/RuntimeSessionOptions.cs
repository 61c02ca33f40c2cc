namespace MemLens.Diagnostics.Attach;

/// <summary>Settings of an EventPipe session on an attached .NET process.</summary>
public sealed class RuntimeSessionOptions
{
    /// <summary>
    /// How often the runtime publishes its meter values (<c>System.Runtime</c>: committed, allocated, collections …).
    /// Default: 0.5 s. The first values arrive about two intervals after the session starts, so with 1 s the first
    /// runtime figure of <c>memlens watch</c> took 2.35 s (budget 1.5 s) and with 0.5 s 1.33 s. Each round costs the
    /// target: with only the six instruments MemLens reads, 0.5 s measured 0.10 % of a core in an idle .NET 10 target
    /// (docs/benchmarks.md).
    /// </summary>
    public TimeSpan RefreshInterval { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Where the periodic runtime figures come from. Default: <see cref="RuntimeCounters.Auto"/>.</summary>
    public RuntimeCounters Counters { get; init; } = RuntimeCounters.Auto;

    /// <summary>
    /// Size of the target's EventPipe buffer for this session, in MiB. When MemLens reads slower than the target
    /// writes, the runtime drops events rather than grow. Default: 16 (GC events at informational level are a few
    /// hundred bytes each; 16 MiB holds tens of thousands of GCs).
    /// </summary>
    public int BufferMegabytes { get; init; } = 16;

    /// <summary>Also enable the GCHeapCollect keyword, which makes the runtime run a blocking gen2 GC as the session starts (used by <c>memlens gc</c>). Default: false.</summary>
    internal bool InduceGc { get; init; }

    /// <summary>Skip the meter (one GC session only, e.g. for an induced GC). Default: false.</summary>
    internal bool GcEventsOnly { get; init; }
}
