using MemLens.Metrics;

namespace MemLens.AspNetCore.Dashboard;

/// <summary>
/// The dashboard's charts. The operating system's view and the runtime's view are separate charts with their
/// own axes; VSZ has a chart of its own because it is often 10–100× RSS and would flatten every other line.
/// </summary>
internal static class DashboardCharts
{
    public static readonly IReadOnlyList<ChartDefinition> All =
    [
        new("process", "Process memory (operating system)", Units.Bytes,
            "What the kernel says the process uses, from /proc/<pid>/status and smaps_rollup. RSS counts every " +
            "resident page, shared library pages included; PSS divides shared pages among the processes sharing " +
            "them; USS is what would be freed if the process exited. LazyFree pages (freed with MADV_FREE) still " +
            "count in RSS until the kernel needs them.",
            [
                Metric(MetricCatalog.ProcessRss, "#2563eb"),
                Metric(MetricCatalog.ProcessPss, "#7c3aed"),
                Metric(MetricCatalog.ProcessUss, "#0891b2"),
                Metric(MetricCatalog.ProcessAnon, "#16a34a"),
                Metric(MetricCatalog.ProcessFile, "#ca8a04"),
                Metric(MetricCatalog.ProcessShmem, "#db2777"),
                Metric(MetricCatalog.ProcessSwap, "#dc2626"),
                Metric(MetricCatalog.ProcessLazyFree, "#64748b"),
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
                new(DerivedSeries.Gap, "RSS − GC committed", Units.Bytes, "#f59e0b",
                    "RSS minus the memory the GC has committed. Native memory, code, stacks and mapped files.", Fill: true),
                Metric(MetricCatalog.ProcessRss, "#2563eb"),
                Metric(MetricCatalog.GcCommitted, "#9333ea"),
            ]),
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

    /// <summary>Every series id any chart draws, each once, in chart order.</summary>
    public static readonly IReadOnlyList<string> SeriesIds = All.SelectMany(c => c.Series).Select(s => s.Id).Distinct(StringComparer.Ordinal).ToArray();

    private static ChartSeries Metric(MetricDescriptor metric, string color) =>
        new(metric.Name, metric.Label, Units.Of(metric.Unit), color, metric.Help);

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
