using MemLens.Metrics;

namespace MemLens.Diagnostics.Attach;

/// <summary>
/// Maps the runtime's <c>System.Runtime</c> EventCounters (RuntimeEventSource, on runtimes older than .NET 9 where the
/// <c>System.Runtime</c> meter does not exist) onto MemLens metrics. Only counters that are absolute and exact enough
/// are used: the generation sizes (bytes) and committed memory (MB as a double, i.e. bytes / 10^6). Per-interval
/// counters (allocation rate, GC counts per interval) cannot give totals since the process started and are left out;
/// heap size, fragmentation, promoted and the collection count come from the GC events.
/// </summary>
internal static class RuntimeEventCounterMapping
{
    /// <summary>EventCounterIntervalSec is read as a float by the runtime.</summary>
    public const string ProviderName = "System.Runtime";

    public static bool Apply(string name, double mean, Action<MetricDescriptor, double> write)
    {
        switch (name)
        {
            case "gc-committed":
                write(MetricCatalog.GcCommitted, Math.Round(mean * 1_000_000));
                return true;
            case "gen-0-size":
                write(MetricCatalog.GcGen0Size, mean);
                return true;
            case "gen-1-size":
                write(MetricCatalog.GcGen1Size, mean);
                return true;
            case "gen-2-size":
                write(MetricCatalog.GcGen2Size, mean);
                return true;
            case "loh-size":
                write(MetricCatalog.GcLohSize, mean);
                return true;
            case "poh-size":
                write(MetricCatalog.GcPohSize, mean);
                return true;
            default:
                return false;
        }
    }
}
