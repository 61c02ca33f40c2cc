using MemLens.Metrics;

namespace MemLens.Storage;

/// <summary>The answer to a range query. Arrays have <see cref="Count"/> valid entries.</summary>
public sealed class SeriesData
{
    public required MetricDescriptor Metric { get; init; }

    /// <summary>Unix ms of each point (bucket start when downsampled).</summary>
    public required long[] Timestamps { get; init; }

    public required double[] Min { get; init; }

    public required double[] Max { get; init; }

    public required double[] Mean { get; init; }

    public required int Count { get; init; }

    /// <summary>True when points are buckets of several raw values.</summary>
    public bool Downsampled { get; init; }
}

/// <summary>The newest value of one series.</summary>
public readonly record struct LatestValue(MetricDescriptor Metric, long TimestampMs, double Value);
