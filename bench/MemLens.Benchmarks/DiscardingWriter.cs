using MemLens.Events;
using MemLens.Metrics;
using MemLens.Sampling;

namespace MemLens.Benchmarks;

/// <summary>An <see cref="ISampleWriter"/> that keeps nothing, so a benchmark measures the source alone.</summary>
internal sealed class DiscardingWriter : ISampleWriter
{
    private double _sink;

    public long TimestampMs => 0;

    public double Sink => _sink;

    public void Write(MetricDescriptor metric, double value) => _sink += value;

    public void Event(MemEvent memEvent)
    {
    }
}
