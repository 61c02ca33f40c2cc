using MemLens.Events;
using MemLens.Metrics;

namespace MemLens.Storage;

// PUBLIC CONTRACT ONLY — the implementation is being written (see the store work item).
// Keep these signatures: the sampler, tool and dashboard code against them.

/// <summary>
/// Bounded, multi-resolution, thread-safe store of every series and the events beside them.
/// One writer (the sampler thread) and any number of readers.
/// </summary>
public sealed class MetricStore
{
    public MetricStore(MetricStoreOptions? options = null) => Options = options ?? new MetricStoreOptions();

    public MetricStoreOptions Options { get; }

    /// <summary>Appends one value. Timestamps of one series must not go backwards; an older one is dropped and counted.</summary>
    public void Append(MetricDescriptor metric, long timestampMs, double value) => throw new NotImplementedException();

    /// <summary>Adds an event; the oldest are dropped past <see cref="MetricStoreOptions.MaxEvents"/>.</summary>
    public void AddEvent(MemEvent memEvent) => throw new NotImplementedException();

    /// <summary>The newest value of a series, if it has any.</summary>
    public bool TryGetLatest(MetricDescriptor metric, out long timestampMs, out double value) => throw new NotImplementedException();

    /// <summary>The oldest value still held at any resolution, if the series has any.</summary>
    public bool TryGetFirst(MetricDescriptor metric, out long timestampMs, out double value) => throw new NotImplementedException();

    /// <summary>Metrics that have at least one value, in catalog order.</summary>
    public IReadOnlyList<MetricDescriptor> Metrics => throw new NotImplementedException();

    /// <summary>
    /// Values of one series in [fromMs, toMs], at most <paramref name="maxPoints"/> points: raw points when
    /// they fit, otherwise equal-width buckets each carrying min, max and mean so spikes survive.
    /// </summary>
    public SeriesData Query(MetricDescriptor metric, long fromMs, long toMs, int maxPoints) => throw new NotImplementedException();

    /// <summary>Events with fromMs ≤ t ≤ toMs, oldest first, at most <paramref name="max"/> (the newest ones when cut).</summary>
    public IReadOnlyList<MemEvent> GetEvents(long fromMs, long toMs, int max = int.MaxValue) => throw new NotImplementedException();

    /// <summary>Bytes held by series data and indexes (the figure the memory budget bounds).</summary>
    public long MemoryBytes => throw new NotImplementedException();

    /// <summary>Events dropped because <see cref="MetricStoreOptions.MaxEvents"/> was reached.</summary>
    public long DroppedEvents => throw new NotImplementedException();
}

/// <summary>Options of <see cref="MetricStore"/>.</summary>
public sealed class MetricStoreOptions
{
    /// <summary>Upper bound of the memory the series data may use. Default: 8 MiB (24 h of 1 Hz for ~30 series).</summary>
    public long MemoryBudgetBytes { get; set; } = 8L * 1024 * 1024;

    /// <summary>Most events kept; the oldest are dropped first. Default: 20,000.</summary>
    public int MaxEvents { get; set; } = 20_000;
}

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
