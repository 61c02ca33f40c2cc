using MemLens.Metrics;

namespace MemLens.AspNetCore.Dashboard;

/// <summary>
/// Series computed from stored metrics: the gap (RSS − GC committed) and per-second rates of counters.
/// Computed on the server so the page stays generic and the stream and the range queries agree.
/// </summary>
internal static class DerivedSeries
{
    public const string Gap = "derived.gap";
    public const string RatePrefix = "rate:";

    public static MetricDescriptor GapMinuend => MetricCatalog.ProcessRss;

    public static MetricDescriptor GapSubtrahend => MetricCatalog.GcCommitted;

    /// <summary>What a series id names: a stored metric, the rate of a counter, or the gap.</summary>
    public static bool TryResolve(string id, out SeriesKind kind, out MetricDescriptor? metric)
    {
        kind = SeriesKind.Metric;
        metric = null;
        if (id == Gap)
        {
            kind = SeriesKind.Gap;
            return true;
        }

        if (id.StartsWith(RatePrefix, StringComparison.Ordinal))
        {
            if (MetricCatalog.TryGet(id[RatePrefix.Length..], out var counter) && counter.Kind == MetricKind.Counter)
            {
                kind = SeriesKind.Rate;
                metric = counter;
                return true;
            }

            return false;
        }

        if (MetricCatalog.TryGet(id, out var m))
        {
            metric = m;
            return true;
        }

        return false;
    }
}

internal enum SeriesKind
{
    Metric,
    Rate,
    Gap,
}
