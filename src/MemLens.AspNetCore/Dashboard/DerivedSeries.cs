using MemLens.Metrics;

namespace MemLens.AspNetCore.Dashboard;

/// <summary>
/// Series computed from stored metrics: differences of two gauges (<see cref="Differences"/>, e.g. the gap,
/// RSS − GC committed) and per-second rates of counters. Computed on the server so the page stays generic and
/// the stream and the range queries agree.
/// </summary>
internal static class DerivedSeries
{
    public const string Gap = "derived.gap";
    public const string GoIdleKept = "derived.go.idle_kept";
    public const string GoRetained = "derived.go.retained";
    public const string RatePrefix = "rate:";

    /// <summary>Every difference series: a value exists where both operands have one.</summary>
    public static readonly IReadOnlyList<DifferenceSeries> Differences =
    [
        new(Gap, MetricCatalog.ProcessRss, MetricCatalog.GcCommitted, "RSS − GC committed",
            "RSS minus the memory the GC has committed. Native memory, code, stacks and mapped files."),
        new(GoIdleKept, MetricCatalog.GoHeapIdle, MetricCatalog.GoHeapReleased, "Kept for reuse",
            "HeapIdle − HeapReleased: empty heap spans the Go runtime keeps for future allocations instead of " +
            "returning them to the OS. Still resident, so still in RSS; the scavenger returns it over minutes, " +
            "debug.FreeOSMemory() at once."),
        new(GoRetained, MetricCatalog.GoHeapSys, MetricCatalog.GoHeapReleased, "Retained",
            "HeapSys − HeapReleased: heap memory the Go runtime holds from the OS right now, in use or kept for " +
            "reuse. About the Go heap's share of RSS (a little of it may never have been touched; with MADV_FREE, " +
            "released pages linger in RSS too, as LazyFree)."),
    ];

    /// <summary>What a series id names: a stored metric, the rate of a counter, or a difference.</summary>
    public static bool TryResolve(string id, out ResolvedSeries series)
    {
        series = default;
        if (id.StartsWith(RatePrefix, StringComparison.Ordinal))
        {
            if (MetricCatalog.TryGet(id[RatePrefix.Length..], out var counter) && counter.Kind == MetricKind.Counter)
            {
                series = new ResolvedSeries(SeriesKind.Rate, counter, null);
                return true;
            }

            return false;
        }

        if (TryGetDifference(id, out var difference))
        {
            series = new ResolvedSeries(SeriesKind.Difference, null, difference);
            return true;
        }

        if (MetricCatalog.TryGet(id, out var metric))
        {
            series = new ResolvedSeries(SeriesKind.Metric, metric, null);
            return true;
        }

        return false;
    }

    public static bool TryGetDifference(string id, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out DifferenceSeries? difference)
    {
        foreach (var d in Differences)
        {
            if (d.Id == id)
            {
                difference = d;
                return true;
            }
        }

        difference = null;
        return false;
    }
}

/// <summary>
/// A derived series <c>Minuend − Subtrahend</c> of two gauges in the same unit, with the label and help text the
/// charts show for it.
/// </summary>
internal sealed record DifferenceSeries(string Id, MetricDescriptor Minuend, MetricDescriptor Subtrahend, string Label, string Help);

/// <summary>A resolved series id: <see cref="Metric"/> for a metric or a rate, <see cref="Difference"/> for a difference.</summary>
internal readonly record struct ResolvedSeries(SeriesKind Kind, MetricDescriptor? Metric, DifferenceSeries? Difference);

internal enum SeriesKind
{
    Metric,
    Rate,
    Difference,
}
