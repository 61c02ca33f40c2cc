using MemLens.Events;
using MemLens.Metrics;
using MemLens.Sampling;

namespace MemLens.Tests.Procfs;

/// <summary>Keeps the last value written per metric in preallocated arrays, so it allocates nothing itself.</summary>
internal sealed class NonAllocatingWriter : ISampleWriter
{
    private readonly double[] _values = new double[MetricCatalog.Count];
    private readonly bool[] _present = new bool[MetricCatalog.Count];

    public long TimestampMs => 0;

    public int Writes { get; private set; }

    public void Write(MetricDescriptor metric, double value)
    {
        _values[metric.Id] = value;
        _present[metric.Id] = true;
        Writes++;
    }

    public void Event(MemEvent memEvent)
    {
    }

    public bool Has(MetricDescriptor metric) => _present[metric.Id];

    public double this[MetricDescriptor metric] =>
        _present[metric.Id] ? _values[metric.Id] : throw new Xunit.Sdk.XunitException($"{metric.Name} was not written");

    public void Clear()
    {
        Array.Clear(_present);
        Writes = 0;
    }
}
