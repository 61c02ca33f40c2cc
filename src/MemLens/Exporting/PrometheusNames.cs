using MemLens.Metrics;

namespace MemLens.Exporting;

/// <summary>
/// The Prometheus name of each catalog metric: <c>memlens_</c>, the dotted name with underscores, the base unit
/// (<c>_bytes</c>, <c>_seconds</c>, <c>_ratio</c>) and <c>_total</c> for counters, as Prometheus's naming
/// conventions ask: <c>process.memory.rss</c> → <c>memlens_process_memory_rss_bytes</c>,
/// <c>dotnet.gc.pause.time</c> → <c>memlens_dotnet_gc_pause_time_seconds_total</c>.
/// </summary>
/// <remarks>
/// The <c>memlens_</c> prefix keeps these apart from what an application's own exporter publishes on the same
/// instance: the .NET runtime meter also has a <c>dotnet_gc_collections_total</c>, but per generation, and Go's
/// client has <c>go_memstats_*</c>; two series of one name with different meanings would add up wrongly in a query.
/// It is also what an OpenTelemetry Collector's Prometheus exporter with <c>namespace: memlens</c> makes of the
/// same metrics pushed over OTLP, so one Grafana dashboard serves both paths.
/// </remarks>
public static class PrometheusNames
{
    /// <summary>The prefix of every metric MemLens exposes.</summary>
    public const string Prefix = "memlens_";

    private static readonly string[] s_names = BuildAll();

    /// <summary>The Prometheus name of <paramref name="metric"/>.</summary>
    public static string Of(MetricDescriptor metric)
    {
        ArgumentNullException.ThrowIfNull(metric);
        return s_names[metric.Id];
    }

    /// <summary>Every name MemLens can expose, one per catalog metric, in catalog order.</summary>
    public static IReadOnlyList<string> All => s_names;

    /// <summary>The Prometheus TYPE of <paramref name="metric"/>: <c>gauge</c> or <c>counter</c>.</summary>
    public static string TypeOf(MetricDescriptor metric)
    {
        ArgumentNullException.ThrowIfNull(metric);
        return metric.Kind == MetricKind.Counter ? "counter" : "gauge";
    }

    private static string[] BuildAll()
    {
        var names = new string[MetricCatalog.Count];
        foreach (var metric in MetricCatalog.All)
        {
            names[metric.Id] = Build(metric);
        }

        return names;
    }

    private static string Build(MetricDescriptor metric)
    {
        string name = metric.Name.Replace('.', '_');
        // go.memstats.pause_total is a running total already: its name says so once, at the end.
        if (name.EndsWith("_total", StringComparison.Ordinal))
        {
            name = name[..^"_total".Length];
        }

        string unit = metric.Unit switch
        {
            MetricUnit.Bytes => "_bytes",
            MetricUnit.Seconds => "_seconds",
            MetricUnit.Ratio => "_ratio",
            _ => "",
        };
        if (unit.Length > 0 && !name.EndsWith(unit, StringComparison.Ordinal))
        {
            name += unit;
        }

        return Prefix + name + (metric.Kind == MetricKind.Counter ? "_total" : "");
    }
}
