namespace MemLens.Metrics;

/// <summary>The base unit a metric's values are stored in. Values are never pre-scaled.</summary>
public enum MetricUnit
{
    /// <summary>Bytes; shown to people in IEC units (KiB, MiB, GiB).</summary>
    Bytes,

    /// <summary>A plain count (threads, collections, objects).</summary>
    Count,

    /// <summary>Seconds, possibly fractional.</summary>
    Seconds,

    /// <summary>A fraction between 0 and 1.</summary>
    Ratio,
}

/// <summary>How a metric's values behave over time.</summary>
public enum MetricKind
{
    /// <summary>A level that can go up and down (RSS, heap size).</summary>
    Gauge,

    /// <summary>A running total that only grows while the process lives (allocated bytes, GC count).</summary>
    Counter,
}
