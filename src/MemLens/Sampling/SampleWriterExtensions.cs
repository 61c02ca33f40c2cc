using MemLens.Metrics;

namespace MemLens.Sampling;

/// <summary>Helpers for sources.</summary>
public static class SampleWriterExtensions
{
    /// <summary>Writes the value only when the system provided it: an absent field stays absent, never zero.</summary>
    public static void WriteIf(this ISampleWriter writer, MetricDescriptor metric, bool present, long value)
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (present)
        {
            writer.Write(metric, value);
        }
    }
}
