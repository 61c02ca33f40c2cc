using MemLens.Metrics;

namespace MemLens.AspNetCore.Dashboard;

/// <summary>
/// The dashboard's charts. The operating system's view and the runtime's view are separate charts with their
/// own axes; VSZ has a chart of its own because it is often 10–100× RSS and would flatten every other line (the Go
/// MemStats chart, which draws it beside RSS as pprofplus did, puts it on the right-hand axis). Charts that mix
/// RSS with a runtime's series name the runtime's series in <see cref="ChartDefinition.Requires"/>, so they show
/// only for that runtime.
/// </summary>
internal static class DashboardCharts
{
    public static readonly IReadOnlyList<ChartDefinition> All =
    [
        new("process", "Process memory (operating system)", Units.Bytes,
            "What the kernel says the process uses, from /proc/<pid>/status and smaps_rollup. RSS counts every " +
            "resident page, shared library pages included; PSS divides shared pages among the processes sharing " +
            "them; USS is what would be freed if the process exited. LazyFree pages (freed with MADV_FREE) still " +
            "count in RSS until the kernel needs them. glibc arenas is what malloc's per-thread heaps have mapped " +
            "read-write (from /proc/<pid>/maps): many of them while the managed heap is flat point at MALLOC_ARENA_MAX.",
            [
                Metric(MetricCatalog.ProcessRss, "#2563eb"),
                Metric(MetricCatalog.ProcessPss, "#7c3aed"),
                Metric(MetricCatalog.ProcessUss, "#0891b2"),
                Metric(MetricCatalog.ProcessAnon, "#16a34a"),
                Metric(MetricCatalog.ProcessFile, "#ca8a04"),
                Metric(MetricCatalog.ProcessShmem, "#db2777"),
                Metric(MetricCatalog.ProcessSwap, "#dc2626"),
                Metric(MetricCatalog.ProcessLazyFree, "#64748b"),
                Metric(MetricCatalog.ProcessMallocArenasSize, "#0d9488"),
            ]),
        new("virtual", "Virtual size (VSZ)", Units.Bytes,
            "Address space the process has mapped, touched or not. Runtimes reserve large ranges up front, so VSZ " +
            "is usually far above RSS and says little about memory use; it has its own chart so it does not " +
            "flatten the others.",
            [Metric(MetricCatalog.ProcessVirtual, "#475569")]),
        new("runtime", ".NET GC heap (runtime)", Units.Bytes,
            "The managed heap as the GC reports it after each GC (GC.GetGCMemoryInfo): heap size, memory the GC has " +
            "committed from the OS, free space inside the heap (fragmented) and the size of each generation, the " +
            "large object heap and the pinned object heap.",
            [
                Metric(MetricCatalog.GcHeapSize, "#2563eb"),
                Metric(MetricCatalog.GcCommitted, "#9333ea"),
                Metric(MetricCatalog.GcFragmented, "#f97316"),
                Metric(MetricCatalog.GcGen0Size, "#22c55e"),
                Metric(MetricCatalog.GcGen1Size, "#eab308"),
                Metric(MetricCatalog.GcGen2Size, "#ef4444"),
                Metric(MetricCatalog.GcLohSize, "#0ea5e9"),
                Metric(MetricCatalog.GcPohSize, "#a16207"),
            ]),
        new("gap", "The gap: RSS − GC committed", Units.Bytes,
            "Resident memory the .NET GC does not account for: native allocations (malloc, glibc arenas), JIT code, " +
            "thread stacks, mapped files and the runtime itself. If RSS climbs while GC committed stays flat, the " +
            "growth is here, not in the managed heap.",
            [
                Difference(DerivedSeries.Gap, "#f59e0b", fill: true),
                Metric(MetricCatalog.ProcessRss, "#2563eb"),
                Metric(MetricCatalog.GcCommitted, "#9333ea"),
            ],
            Requires: [MetricCatalog.GcCommitted.Name]),
        new("gc-pauses", "GC pauses", Units.Seconds,
            "One point per garbage collection: how long the program's threads were paused, coloured by generation. " +
            "Background GCs run beside the program and pause it only briefly.",
            [], Kind: "gc-pauses"),
        new("gc-rate", "GC rate", Units.CountPerSecond,
            "Garbage collections per second by generation. Gen0 GCs follow the allocation rate and are cheap; " +
            "frequent gen2 GCs mean memory pressure or explicit GC.Collect calls.",
            [
                Rate(MetricCatalog.GcGen0Collections, Units.CountPerSecond, "#22c55e"),
                Rate(MetricCatalog.GcGen1Collections, Units.CountPerSecond, "#eab308"),
                Rate(MetricCatalog.GcGen2Collections, Units.CountPerSecond, "#ef4444"),
            ]),
        new("allocation", "Allocation rate", Units.BytesPerSecond,
            "Bytes allocated on the managed heap per second (GC.GetTotalAllocatedBytes). High allocation with a " +
            "flat heap is churn, not a leak; it costs CPU in gen0 GCs.",
            [Rate(MetricCatalog.GcAllocated, Units.BytesPerSecond, "#0ea5e9")]),

        // ---- Go: MemStats polled from the program, and every GC and scavenger report from GODEBUG=gctrace=1,scavtrace=1 ----
        new("go-memstats", "Go memory (MemStats)", Units.Bytes,
            "The Go runtime's own accounts (runtime.MemStats, polled from the program's pprof or expvar endpoint) " +
            "beside the kernel's RSS. Sys is everything the runtime got from the OS; HeapSys is its heap, split into " +
            "HeapInuse (spans holding objects; HeapAlloc is the objects themselves) and HeapIdle (empty spans), of " +
            "which HeapReleased was given back to the OS. RSS well above Sys is memory outside the Go runtime (cgo, C " +
            "libraries). HeapIdle far above HeapReleased is memory kept for reuse after a peak: retention, not a leak " +
            "(see the scavenger chart). VSZ is on the right-hand axis: it is usually far larger and says little.",
            [
                Metric(MetricCatalog.GoSys, "#9333ea"),
                Metric(MetricCatalog.GoHeapSys, "#db2777"),
                Metric(MetricCatalog.GoHeapAlloc, "#16a34a"),
                Metric(MetricCatalog.GoHeapInuse, "#0891b2"),
                Metric(MetricCatalog.GoHeapReleased, "#ca8a04"),
                Metric(MetricCatalog.GoHeapIdle, "#f97316"),
                Metric(MetricCatalog.ProcessRss, "#2563eb"),
                Metric(MetricCatalog.ProcessVirtual, "#475569") with { Axis = ChartAxes.Right },
            ],
            Requires: Names(MetricCatalog.GoSys, MetricCatalog.GoHeapSys, MetricCatalog.GoHeapAlloc, MetricCatalog.GoHeapInuse,
                MetricCatalog.GoHeapReleased, MetricCatalog.GoHeapIdle)),
        new("go-gc-heap", "Go heap at each GC (gctrace)", Units.Bytes,
            "What each garbage collection saw, from the line GODEBUG=gctrace=1 makes it print: the heap when it " +
            "started (the top of the sawtooth) and when it ended, the live heap it found reachable, and the goal it " +
            "aimed for (NextGC, from MemStats, is the next cycle's goal). The heap climbing to the goal and falling " +
            "back is normal. A live heap that rises from GC to GC is the shape of a leak; a flat live heap under a " +
            "rising RSS means the memory is elsewhere: idle heap kept for reuse, goroutine stacks, or outside Go.",
            [
                Metric(MetricCatalog.GoGcHeapStart, "#ef4444"),
                Metric(MetricCatalog.GoGcHeapEnd, "#eab308"),
                Metric(MetricCatalog.GoGcHeapLive, "#16a34a"),
                Metric(MetricCatalog.GoGcHeapGoal, "#9333ea"),
                Metric(MetricCatalog.GoNextGc, "#7c3aed"),
            ],
            Requires: Names(MetricCatalog.GoGcHeapStart, MetricCatalog.GoGcHeapEnd, MetricCatalog.GoGcHeapLive, MetricCatalog.GoGcHeapGoal, MetricCatalog.GoNextGc)),
        new("go-scavenger", "Go memory returned to the OS (scavenger)", Units.Bytes,
            "Where the Go heap's idle memory is. Kept for reuse (HeapIdle − HeapReleased) is empty heap the runtime " +
            "holds for future allocations: still resident, so still in RSS, and returned by the background scavenger " +
            "over minutes (at once by debug.FreeOSMemory()). Released (HeapReleased, and the scavenger's own report " +
            "with GODEBUG=scavtrace=1) has been returned to the OS with madvise. With GODEBUG=madvdontneed=1, the " +
            "default since Go 1.16, RSS drops at once. With GODEBUG=madvdontneed=0 (MADV_FREE, the default of Go " +
            "1.12–1.15) the pages stay in RSS, counted as LazyFree, until the kernel needs the memory: RSS stays high " +
            "although nothing is leaked. Retained (HeapSys − HeapReleased) is the heap the runtime holds from the OS.",
            [
                Metric(MetricCatalog.GoScavengerReleased, "#eab308"),
                Metric(MetricCatalog.GoHeapReleased, "#ca8a04"),
                Difference(DerivedSeries.GoRetained, "#db2777"),
                Difference(DerivedSeries.GoIdleKept, "#f97316", fill: true),
                Metric(MetricCatalog.ProcessLazyFree, "#64748b"),
            ],
            Requires: [MetricCatalog.GoScavengerReleased.Name, MetricCatalog.GoHeapReleased.Name, DerivedSeries.GoRetained, DerivedSeries.GoIdleKept]),
        new("go-gc-times", "Go GC times (gctrace)", Units.Seconds,
            "How long each GC took, from its gctrace line. STW is the time the whole program was stopped (two short " +
            "phases, usually well under a millisecond); long ones come from goroutines that cannot be preempted, such " +
            "as tight loops. Concurrent mark runs beside the program and takes longer; meanwhile allocating " +
            "goroutines are drafted to help, which slows them down.",
            [
                Metric(MetricCatalog.GoGcStopTheWorld, "#ef4444"),
                Metric(MetricCatalog.GoGcMark, "#0ea5e9"),
            ]),
        new("go-gc-cpu", "Go GC CPU share", Units.Ratio,
            "Share of the program's CPU time spent in garbage collection since it started: from the last gctrace line " +
            "(GC CPU) and from MemStats (GCCPUFraction), the same figure by two routes. Above a few percent the " +
            "program allocates too fast for its heap goal: allocate less, or give the GC more room with GOGC or " +
            "GOMEMLIMIT, trading memory for CPU.",
            [
                Metric(MetricCatalog.GoGcCpu, "#dc2626"),
                Metric(MetricCatalog.GoGcCpuFraction, "#f97316"),
            ]),
        new("go-gc-rate", "Go GC rate", Units.CountPerSecond,
            "Garbage collections per second, from the gctrace lines and from MemStats' NumGC. It follows the " +
            "allocation rate divided by the room between the live heap and the goal: frequent GCs with a small live " +
            "heap mean GOGC or GOMEMLIMIT leave the heap little room to grow.",
            [
                Rate(MetricCatalog.GoGcCount, Units.CountPerSecond, "#ef4444"),
                Rate(MetricCatalog.GoNumGc, Units.CountPerSecond, "#f97316"),
            ]),
        new("container", "Container (cgroup)", Units.Bytes,
            "Memory charged to the process's cgroup, against its limit when one is set. The kernel reclaims page " +
            "cache and then OOM-kills when usage reaches the limit; anonymous memory cannot be reclaimed without swap.",
            [
                Metric(MetricCatalog.ContainerUsage, "#2563eb"),
                Metric(MetricCatalog.ContainerLimit, "#dc2626"),
                Metric(MetricCatalog.ContainerAnon, "#16a34a"),
                Metric(MetricCatalog.ContainerFile, "#ca8a04"),
            ]),
    ];

    /// <summary>Every series id any chart draws or requires, each once, in chart order.</summary>
    public static readonly IReadOnlyList<string> SeriesIds = All
        .SelectMany(c => c.Series.Select(s => s.Id).Concat(c.Requires ?? []))
        .Distinct(StringComparer.Ordinal)
        .ToArray();

    private static ChartSeries Metric(MetricDescriptor metric, string color) =>
        new(metric.Name, metric.Label, Units.Of(metric.Unit), color, metric.Help);

    private static ChartSeries Difference(string id, string color, bool fill = false) =>
        DerivedSeries.TryGetDifference(id, out var d)
            ? new(d.Id, d.Label, Units.Of(d.Minuend.Unit), color, d.Help, fill)
            : throw new ArgumentException("Not a difference series: " + id, nameof(id));

    private static string[] Names(params MetricDescriptor[] metrics) => metrics.Select(m => m.Name).ToArray();

    private static ChartSeries Rate(MetricDescriptor counter, string unit, string color) =>
        new(DerivedSeries.RatePrefix + counter.Name, counter.Label + "/s", unit, color,
            "Per-second rate of: " + counter.Help);
}

/// <summary>Unit names of the dashboard API.</summary>
internal static class Units
{
    public const string Bytes = "bytes";
    public const string BytesPerSecond = "bytes/s";
    public const string Seconds = "seconds";
    public const string Count = "count";
    public const string CountPerSecond = "count/s";
    public const string Ratio = "ratio";

    public static string Of(MetricUnit unit) => unit switch
    {
        MetricUnit.Bytes => Bytes,
        MetricUnit.Seconds => Seconds,
        MetricUnit.Ratio => Ratio,
        _ => Count,
    };
}
