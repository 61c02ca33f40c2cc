using MemLens.Events;
using MemLens.Metrics;
using MemLens.Sampling;

namespace MemLens.Tests.Support;

/// <summary>An <see cref="ISampleWriter"/> that keeps what a source wrote, for assertions.</summary>
internal sealed class RecordingWriter : ISampleWriter
{
    public Dictionary<MetricDescriptor, double> Values { get; } = [];

    public List<MemEvent> Events { get; } = [];

    public long TimestampMs { get; set; } = MonotonicClock.NowUnixMs;

    public void Write(MetricDescriptor metric, double value) => Values[metric] = value;

    public void Event(MemEvent memEvent) => Events.Add(memEvent);

    public void Clear()
    {
        Values.Clear();
        Events.Clear();
    }
}
