using MemLens.Events;
using MemLens.Metrics;

namespace MemLens.Storage;

/// <summary>
/// Bounded, multi-resolution, thread-safe store of every series and the events beside them.
/// One writer (the sampler thread) and any number of readers.
/// </summary>
/// <remarks>
/// Each series keeps its recent past at full resolution in Gorilla-compressed chunks, then 1-minute and
/// 1-hour min/max/sum/count buckets further back. When <see cref="MemoryBytes"/> passes the budget, the
/// globally oldest raw chunk is rolled into minute buckets (so every series keeps the same full-resolution
/// horizon); once the rollups use more than <see cref="MetricStoreOptions.RollupShare"/> of the budget,
/// the oldest minute blocks are folded into hour buckets and, last, the oldest hour blocks are dropped.
/// Locks: one per series (held for an append, or by a reader only to copy references), one for the
/// budget (writer side only), one for the events. See docs/store.md.
/// </remarks>
public sealed class MetricStore
{
    private readonly SeriesBuffer?[] _series;
    private readonly object _createLock = new();
    private readonly object _budgetLock = new();
    private readonly object _eventLock = new();
    private readonly EventRing _events;
    private readonly long _budget;
    private readonly long _rollupBudget;
    private readonly int _chunkBytes;
    private SeriesBuffer[] _active = [];
    private MetricDescriptor[] _metrics = [];
    private long _totalBytes;        // working figure, changed only under _budgetLock
    private long _publishedBytes;    // what readers see: the figure after the last append's eviction
    private long _minuteBytes;
    private long _hourBytes;

    /// <summary>Creates a store; <paramref name="options"/> are read once, here.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is outside its documented range.</exception>
    public MetricStore(MetricStoreOptions? options = null)
    {
        Options = options ?? new MetricStoreOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(Options.MemoryBudgetBytes, MetricStoreOptions.MinimumBudgetBytes, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(Options.MaxEvents, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(Options.RawChunkBytes, 256, nameof(options));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(Options.RawChunkBytes, 1 << 20, nameof(options));
        if (!(Options.RollupShare is >= 0 and <= 0.9))
        {
            throw new ArgumentOutOfRangeException(nameof(options), Options.RollupShare, "RollupShare must be between 0 and 0.9.");
        }

        _budget = Options.MemoryBudgetBytes;
        _rollupBudget = (long)(_budget * Options.RollupShare);
        _chunkBytes = Options.RawChunkBytes & ~7;
        _events = new EventRing(Options.MaxEvents);
        _series = new SeriesBuffer?[MetricCatalog.Count];
        _totalBytes = _publishedBytes = MemoryCost.Object(16 * 8) + MemoryCost.Array(_series.Length, 8);
    }

    /// <summary>The options the store was created with.</summary>
    public MetricStoreOptions Options { get; }

    /// <summary>Appends one value. Timestamps of one series must not go backwards; an older one is dropped and counted.</summary>
    /// <remarks>
    /// NaN and ±Infinity are rejected and counted (<see cref="RejectedValues"/>): no source produces them on
    /// purpose, and neither charts, JSON nor rollup means could carry them. Allocates nothing except when a
    /// chunk fills up (every few hundred values of a series).
    /// </remarks>
    public void Append(MetricDescriptor metric, long timestampMs, double value)
    {
        ArgumentNullException.ThrowIfNull(metric);
        var series = _series[metric.Id] ?? CreateSeries(metric);
        long grown;
        lock (series.Gate)
        {
            grown = series.Append(timestampMs, value);
        }

        if (grown != 0)
        {
            ChargeAndEnforce(grown);
        }
    }

    /// <summary>Adds an event; the oldest are dropped past <see cref="MetricStoreOptions.MaxEvents"/>.</summary>
    public void AddEvent(MemEvent memEvent)
    {
        ArgumentNullException.ThrowIfNull(memEvent);
        lock (_eventLock)
        {
            _events.Add(memEvent);
        }
    }

    /// <summary>The newest value of a series, if it has any. O(1).</summary>
    public bool TryGetLatest(MetricDescriptor metric, out long timestampMs, out double value)
    {
        ArgumentNullException.ThrowIfNull(metric);
        var series = Volatile.Read(ref _series[metric.Id]);
        if (series is not null)
        {
            lock (series.Gate)
            {
                if (series.HasValue)
                {
                    timestampMs = series.LatestTimestamp;
                    value = series.LatestValue;
                    return true;
                }
            }
        }

        timestampMs = 0;
        value = 0;
        return false;
    }

    /// <summary>The newest value of every series that has one, in catalog order.</summary>
    public IReadOnlyList<LatestValue> GetLatestValues()
    {
        var active = Volatile.Read(ref _metrics);
        var result = new List<LatestValue>(active.Length);
        foreach (var metric in active)
        {
            if (TryGetLatest(metric, out long t, out double v))
            {
                result.Add(new LatestValue(metric, t, v));
            }
        }

        return result;
    }

    /// <summary>
    /// The oldest value still held at any resolution, if the series has any. When it lies in a rollup, the
    /// timestamp is the bucket's aligned start and the value its mean.
    /// </summary>
    public bool TryGetFirst(MetricDescriptor metric, out long timestampMs, out double value)
    {
        ArgumentNullException.ThrowIfNull(metric);
        var series = Volatile.Read(ref _series[metric.Id]);
        if (series is not null)
        {
            lock (series.Gate)
            {
                return series.TryGetFirst(out timestampMs, out value);
            }
        }

        timestampMs = 0;
        value = 0;
        return false;
    }

    /// <summary>Metrics that have at least one value, in catalog order.</summary>
    public IReadOnlyList<MetricDescriptor> Metrics => Volatile.Read(ref _metrics);

    /// <summary>
    /// Values of one series in [fromMs, toMs], at most <paramref name="maxPoints"/> points: raw points when
    /// they fit, otherwise equal-width buckets each carrying min, max and mean so spikes survive.
    /// </summary>
    /// <remarks>
    /// Raw points are returned as they are (Min = Max = Mean, <see cref="SeriesData.Downsampled"/> false)
    /// when no rollup bucket is in range and at most <paramref name="maxPoints"/> raw points are. Otherwise
    /// the range is cut into buckets of ⌈(to − from + 1) / maxPoints⌉ ms, each stamped with its start,
    /// carrying the min, max and count-weighted mean of every raw point and every rollup bucket whose
    /// (aligned) start falls in it; empty buckets are left out. Raw and rollup tiers mix seamlessly;
    /// with a bucket width that is a multiple of the rollup width the result is exact.
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxPoints"/> is less than 1.</exception>
    public SeriesData Query(MetricDescriptor metric, long fromMs, long toMs, int maxPoints)
    {
        ArgumentNullException.ThrowIfNull(metric);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxPoints, 1);
        var series = Volatile.Read(ref _series[metric.Id]);
        if (series is null || toMs < fromMs)
        {
            return SeriesQuery.Empty(metric);
        }

        SeriesSnapshot snapshot;
        lock (series.Gate)
        {
            snapshot = series.Snapshot(fromMs, toMs);
        }

        return SeriesQuery.Run(metric, snapshot, fromMs, toMs, maxPoints);
    }

    /// <summary>Events with fromMs ≤ t ≤ toMs, oldest first, at most <paramref name="max"/> (the newest ones when cut).</summary>
    public IReadOnlyList<MemEvent> GetEvents(long fromMs, long toMs, int max = int.MaxValue)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(max);
        lock (_eventLock)
        {
            return _events.Get(fromMs, toMs, max);
        }
    }

    /// <summary>Events ever added to the store, kept or since dropped: a cursor for <see cref="GetEventsAddedSince"/>.</summary>
    public long EventsAdded
    {
        get
        {
            lock (_eventLock)
            {
                return _events.Added;
            }
        }
    }

    /// <summary>
    /// The events added after the first <paramref name="added"/> (an <see cref="EventsAdded"/> value read earlier),
    /// in arrival order, for a reader that must see each event once (a recorder); <paramref name="lost"/> counts
    /// those dropped from the store before they were read. <paramref name="addedNow"/> is the cursor for the next call.
    /// </summary>
    public IReadOnlyList<MemEvent> GetEventsAddedSince(long added, out long addedNow, out long lost)
    {
        lock (_eventLock)
        {
            var events = _events.AddedSince(added, out lost);
            addedNow = _events.Added;
            return events;
        }
    }

    /// <summary>
    /// Bytes held by series data and indexes (the figure the memory budget bounds): compressed chunks,
    /// each series' open-chunk buffer, rollup blocks, lists and object headers. Events are bounded by count
    /// (<see cref="MetricStoreOptions.MaxEvents"/>) and not included.
    /// </summary>
    /// <remarks>
    /// Sealing a chunk briefly holds one chunk (≤ <see cref="MetricStoreOptions.RawChunkBytes"/>) more until the
    /// same append evicts; the figure is published after that, so it never shows more than the budget.
    /// </remarks>
    public long MemoryBytes => Interlocked.Read(ref _publishedBytes);

    /// <summary>Events dropped because <see cref="MetricStoreOptions.MaxEvents"/> was reached.</summary>
    public long DroppedEvents
    {
        get
        {
            lock (_eventLock)
            {
                return _events.Dropped;
            }
        }
    }

    /// <summary>Values dropped, over all series, because their timestamp was older than the series' newest.</summary>
    public long DroppedOutOfOrder => Sum(static s => s.DroppedOutOfOrder);

    /// <summary>NaN or infinite values rejected, over all series.</summary>
    public long RejectedValues => Sum(static s => s.RejectedNonFinite);

    /// <summary>What is held for one series at each resolution, or null if it has no values.</summary>
    public SeriesInfo? GetSeriesInfo(MetricDescriptor metric)
    {
        ArgumentNullException.ThrowIfNull(metric);
        var series = Volatile.Read(ref _series[metric.Id]);
        if (series is null)
        {
            return null;
        }

        lock (series.Gate)
        {
            return series.GetInfo();
        }
    }

    private long Sum(Func<SeriesBuffer, long> field)
    {
        long total = 0;
        foreach (var s in Volatile.Read(ref _active))
        {
            lock (s.Gate)
            {
                total += field(s);
            }
        }

        return total;
    }

    private SeriesBuffer CreateSeries(MetricDescriptor metric)
    {
        lock (_createLock)
        {
            var existing = _series[metric.Id];
            if (existing is not null)
            {
                return existing;
            }

            var series = new SeriesBuffer(metric, _chunkBytes, MetricStoreOptions.RollupBlockBuckets);
            lock (_budgetLock)
            {
                _minuteBytes += series.MinuteBytes;
                _hourBytes += series.HourBytes;
            }

            Volatile.Write(ref _active, [.. _active, series]);
            Volatile.Write(ref _metrics, [.. _metrics.Append(metric).OrderBy(m => m.Id)]);
            Volatile.Write(ref _series[metric.Id], series);
            ChargeAndEnforce(series.MemoryBytes);
            return series;
        }
    }

    // ---- budget ----

    /// <summary>Adds what the writer just allocated, evicts until the budget holds, then publishes the figure.</summary>
    private void ChargeAndEnforce(long bytes)
    {
        lock (_budgetLock)
        {
            _totalBytes += bytes;
            while (_totalBytes > _budget && EvictOne())
            {
            }

            Interlocked.Exchange(ref _publishedBytes, _totalBytes);
        }
    }

    /// <summary>
    /// One step towards the budget. Every step removes a raw chunk, a minute block or an hour block and adds
    /// at most one block of the next tier, so the loop ends.
    /// </summary>
    private bool EvictOne()
    {
        long rollupBytes = _minuteBytes + _hourBytes;
        if (rollupBytes > _rollupBudget)
        {
            // Rollups over their share: coarsen minute data while it is the larger part, then drop the oldest hours.
            if (_minuteBytes > rollupBytes / 2 && Step(Oldest(static s => s.OldestMinuteBlockStart), static s => s.FoldOldestMinuteBlock()))
            {
                return true;
            }

            if (Step(Oldest(static s => s.OldestHourBlockStart), static s => s.DropOldestHourBlock()))
            {
                return true;
            }
        }

        return Step(Oldest(static s => s.OldestChunkStart), static s => s.RollOldestChunk())
            || Step(Oldest(static s => s.OldestHourBlockStart), static s => s.DropOldestHourBlock())
            || Step(Oldest(static s => s.OldestMinuteBlockStart), static s => s.FoldOldestMinuteBlock())
            || Step(Oldest(static s => s.OldestMinuteBlockStart), static s => s.DropOldestMinuteBlock());
    }

    /// <summary>The series whose <paramref name="start"/> is oldest, or null when none has such data.</summary>
    private SeriesBuffer? Oldest(Func<SeriesBuffer, long> start)
    {
        SeriesBuffer? oldest = null;
        long best = long.MaxValue;
        foreach (var s in Volatile.Read(ref _active))
        {
            long t;
            lock (s.Gate)
            {
                t = start(s);
            }

            if (t < best)
            {
                best = t;
                oldest = s;
            }
        }

        return oldest;
    }

    private bool Step(SeriesBuffer? series, Action<SeriesBuffer> action)
    {
        if (series is null)
        {
            return false;
        }

        lock (series.Gate)
        {
            long raw = series.RawBytes, minutes = series.MinuteBytes, hours = series.HourBytes;
            action(series);
            _minuteBytes += series.MinuteBytes - minutes;
            _hourBytes += series.HourBytes - hours;
            _totalBytes += series.RawBytes - raw + series.MinuteBytes - minutes + series.HourBytes - hours;
        }

        return true;
    }
}
