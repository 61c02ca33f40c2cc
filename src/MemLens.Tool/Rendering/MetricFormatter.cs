using System.Globalization;
using MemLens.Formatting;
using MemLens.Metrics;

namespace MemLens.Tool.Rendering;

/// <summary>Formats a metric's value for people, in the unit of the metric.</summary>
internal static class MetricFormatter
{
    public static string Format(MetricDescriptor metric, double value) => metric.Unit switch
    {
        MetricUnit.Bytes => ByteSize.Format(value),
        MetricUnit.Seconds => value < 1 ? string.Create(CultureInfo.InvariantCulture, $"{value * 1000:0.##} ms") : string.Create(CultureInfo.InvariantCulture, $"{value:0.###} s"),
        MetricUnit.Ratio => string.Create(CultureInfo.InvariantCulture, $"{value * 100:0.#} %"),
        _ => value.ToString("#,0", CultureInfo.InvariantCulture),
    };

    public static string FormatDelta(MetricDescriptor metric, double delta) => metric.Unit switch
    {
        MetricUnit.Bytes => ByteSize.FormatDelta(delta),
        _ => (delta > 0 ? "+" : "") + Format(metric, delta),
    };
}
