using System.Text;

namespace MemLens.Metrics;

/// <summary>Renders the catalog as the Markdown of docs/metrics.md (a test keeps the file equal to this output).</summary>
public static class MetricCatalogMarkdown
{
    public static string Render()
    {
        var sb = new StringBuilder();
        sb.Append("# Metrics\n\n");
        sb.Append("Generated from `MetricCatalog` (src/MemLens/Metrics/MetricCatalog.cs) by `memlens metrics --markdown`; ");
        sb.Append("a test fails when this file and the catalog differ. Values are stored in base units (bytes, seconds, counts) ");
        sb.Append("and shown to people in IEC units (KiB, MiB, GiB). The Prometheus column is the name on `/metrics` ");
        sb.Append("(`MapMemLensMetrics`, `memlens watch --metrics-port`); OTLP pushes use the dotted name (docs/fleet.md).\n");
        string? group = null;
        foreach (var m in MetricCatalog.All)
        {
            if (m.Group != group)
            {
                group = m.Group;
                sb.Append("\n## ").Append(GroupTitle(group)).Append("\n\n");
                sb.Append("| name | Prometheus | label | unit | kind | source |\n|---|---|---|---|---|---|\n");
                foreach (var row in MetricCatalog.All.Where(x => x.Group == group))
                {
                    sb.Append("| `").Append(row.Name).Append("` | `").Append(Exporting.PrometheusNames.Of(row)).Append("` | ").Append(row.Label).Append(" | ").Append(UnitName(row.Unit))
                      .Append(" | ").Append(row.Kind == MetricKind.Gauge ? "gauge" : "counter").Append(" | ")
                      .Append(row.Source.Replace("|", "\\|", StringComparison.Ordinal)).Append(" |\n");
                }

                sb.Append('\n');
            }

            sb.Append("### `").Append(m.Name).Append("`\n\n").Append(m.Help).Append("\n\n");
        }

        return sb.ToString().TrimEnd('\n') + "\n";
    }

    public static string UnitName(MetricUnit unit) => unit switch
    {
        MetricUnit.Bytes => "bytes",
        MetricUnit.Seconds => "seconds",
        MetricUnit.Ratio => "ratio",
        _ => "count",
    };

    private static string GroupTitle(string group) => group switch
    {
        "process" => "Process (the operating system's view, from /proc)",
        "container" => "Container (the process's cgroup)",
        "dotnet.gc" => ".NET GC (the runtime's view)",
        "go.memstats" => "Go MemStats (polled from the program's pprof or expvar endpoint)",
        "go.gc" => "Go GC and scavenger (from GODEBUG=gctrace=1,scavtrace=1)",
        _ => group,
    };
}
