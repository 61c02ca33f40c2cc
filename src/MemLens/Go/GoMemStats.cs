using MemLens.Metrics;
using MemLens.Sampling;

namespace MemLens.Go;

/// <summary>
/// The <c>runtime.MemStats</c> figures MemLens reads from a Go program, as the program reported them: bytes,
/// counts and nanoseconds, named as in Go. A figure the response did not carry is null, never zero: the heap
/// profile (<c>/debug/pprof/heap?debug=1</c>) prints no <c>PauseTotalNs</c>, for instance.
/// </summary>
public sealed record GoMemStats
{
    /// <summary><c>Sys</c>: bytes of memory obtained from the OS for everything the runtime manages.</summary>
    public long? Sys { get; init; }

    /// <summary><c>HeapSys</c>: bytes of heap address space obtained from the OS (HeapInuse + HeapIdle).</summary>
    public long? HeapSys { get; init; }

    /// <summary><c>HeapAlloc</c>: bytes of allocated heap objects (live and not yet swept).</summary>
    public long? HeapAlloc { get; init; }

    /// <summary><c>HeapInuse</c>: bytes in heap spans holding at least one object.</summary>
    public long? HeapInuse { get; init; }

    /// <summary><c>HeapIdle</c>: bytes in heap spans holding no object.</summary>
    public long? HeapIdle { get; init; }

    /// <summary><c>HeapReleased</c>: bytes of idle heap returned to the OS.</summary>
    public long? HeapReleased { get; init; }

    /// <summary><c>StackInuse</c>: bytes in goroutine stack spans (the first figure of the heap profile's <c># Stack = inuse / sys</c>).</summary>
    public long? StackInuse { get; init; }

    /// <summary><c>NextGC</c>: the heap goal, the HeapAlloc at which the next GC starts.</summary>
    public long? NextGC { get; init; }

    /// <summary><c>NumGC</c>: completed GC cycles since the program started.</summary>
    public long? NumGC { get; init; }

    /// <summary><c>PauseTotalNs</c>: total stop-the-world pause time since the program started, in nanoseconds.</summary>
    public long? PauseTotalNs { get; init; }

    /// <summary><c>GCCPUFraction</c>: fraction of the available CPU time used by the GC since the program started.</summary>
    public double? GCCPUFraction { get; init; }

    /// <summary>How many of the eleven figures are present.</summary>
    public int Count =>
        (Sys.HasValue ? 1 : 0) + (HeapSys.HasValue ? 1 : 0) + (HeapAlloc.HasValue ? 1 : 0) + (HeapInuse.HasValue ? 1 : 0) +
        (HeapIdle.HasValue ? 1 : 0) + (HeapReleased.HasValue ? 1 : 0) + (StackInuse.HasValue ? 1 : 0) + (NextGC.HasValue ? 1 : 0) +
        (NumGC.HasValue ? 1 : 0) + (PauseTotalNs.HasValue ? 1 : 0) + (GCCPUFraction.HasValue ? 1 : 0);

    /// <summary>
    /// Writes every present figure as its <c>go.memstats.*</c> metric, in base units: bytes as bytes, NumGC as a
    /// count, PauseTotalNs as seconds (÷ 10^9), GCCPUFraction as a ratio. Absent figures are not written.
    /// </summary>
    public void WriteTo(ISampleWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        Write(writer, MetricCatalog.GoSys, Sys);
        Write(writer, MetricCatalog.GoHeapSys, HeapSys);
        Write(writer, MetricCatalog.GoHeapAlloc, HeapAlloc);
        Write(writer, MetricCatalog.GoHeapInuse, HeapInuse);
        Write(writer, MetricCatalog.GoHeapIdle, HeapIdle);
        Write(writer, MetricCatalog.GoHeapReleased, HeapReleased);
        Write(writer, MetricCatalog.GoStackInuse, StackInuse);
        Write(writer, MetricCatalog.GoNextGc, NextGC);
        Write(writer, MetricCatalog.GoNumGc, NumGC);
        if (PauseTotalNs is long pause)
        {
            writer.Write(MetricCatalog.GoPauseTotal, pause / 1e9);
        }

        if (GCCPUFraction is double fraction)
        {
            writer.Write(MetricCatalog.GoGcCpuFraction, fraction);
        }
    }

    private static void Write(ISampleWriter writer, MetricDescriptor metric, long? value)
    {
        if (value is long v)
        {
            writer.Write(metric, v);
        }
    }
}
