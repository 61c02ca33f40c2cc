using MemLens.Events;
using MemLens.Metrics;

namespace MemLens.Sampling;

/// <summary>Where a source writes one sample's values and the events it noticed.</summary>
public interface ISampleWriter
{
    /// <summary>Timestamp of this sample, Unix milliseconds from a monotonic clock (<see cref="MonotonicClock"/>).</summary>
    long TimestampMs { get; }

    /// <summary>Records a value in the metric's base unit.</summary>
    void Write(MetricDescriptor metric, double value);

    /// <summary>Records an event (a GC, an exit).</summary>
    void Event(MemEvent memEvent);
}
