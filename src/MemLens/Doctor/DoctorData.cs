using MemLens.Metrics;
using MemLens.Storage;

namespace MemLens.Doctor;

/// <summary>One .NET GC as its event's JSON says it (type <c>gc</c>).</summary>
internal readonly record struct DotNetGc(long TimestampMs, int Generation, string Kind, long HeapBefore, long HeapAfter, long Fragmented, string? Reason)
{
    /// <summary>A full GC: gen2, blocking or background. What survives it is what the program holds.</summary>
    public bool IsFull => Generation == 2;
}

/// <summary>One Go GC as its event's JSON says it (type <c>go.gc</c>, from gctrace). Every Go GC is a full GC.</summary>
internal readonly record struct GoGc(long TimestampMs, long HeapLive, long HeapGoal, bool Forced);

/// <summary>
/// What the doctor reads for one examination: the facts, the series (read once each, cached) and the GCs of the
/// judged range. The rules only ask; they never touch the store.
/// </summary>
internal sealed class DoctorData
{
    private readonly MetricStore _store;
    private readonly Dictionary<MetricDescriptor, DoctorSeries> _series = [];
    private (DoctorSeries Series, string Words)? _liveHeap;
    private bool _liveHeapRead;

    public DoctorData(MetricStore store, IReadOnlyDictionary<string, string> facts, long fromMs, long toMs)
    {
        _store = store;
        Facts = facts;
        FromMs = fromMs;
        ToMs = toMs;
        (DotNetGcs, GoGcs) = ReadGcs(store, fromMs, toMs);

        // The span of memory figures actually present: the window may be wider than the process's life.
        var spans = new[] { MetricCatalog.ProcessRss, MetricCatalog.GcHeapSize, MetricCatalog.GoHeapAlloc, MetricCatalog.GoGcHeapLive }
            .Select(Series).Where(s => !s.IsEmpty).ToArray();
        if (spans.Length > 0)
        {
            DataFromMs = spans.Min(s => s.FirstTime);
            DataToMs = spans.Max(s => s.LastTime);
        }

        Runtime = RuntimeOf(facts);
    }

    public IReadOnlyDictionary<string, string> Facts { get; }

    public long FromMs { get; }

    public long ToMs { get; }

    /// <summary>First memory figure in the range (Unix ms); 0 when there is none.</summary>
    public long DataFromMs { get; }

    /// <summary>Last memory figure in the range (Unix ms); 0 when there is none.</summary>
    public long DataToMs { get; }

    public bool HasMemoryFigures => DataToMs > 0;

    /// <summary>Seconds between the first and last memory figure.</summary>
    public double ObservedSeconds => (DataToMs - DataFromMs) / 1000.0;

    /// <summary>
    /// Start of the recent part of the range, where states are judged: its last third, at least
    /// <see cref="DoctorRules.RecentMinSeconds"/>, never before the first figure.
    /// </summary>
    public long RecentFromMs => Math.Max(DataFromMs, DataToMs - (long)(Math.Max(DoctorRules.RecentMinSeconds, ObservedSeconds / 3) * 1000));

    /// <summary>Middle of the observed span.</summary>
    public long MiddleMs => DataFromMs + ((DataToMs - DataFromMs) / 2);

    /// <summary><c>dotnet</c>, <c>go</c>, <c>native</c>, or null when neither the facts nor the series tell.</summary>
    public string? Runtime { get; }

    public IReadOnlyList<DotNetGc> DotNetGcs { get; }

    public IReadOnlyList<GoGc> GoGcs { get; }

    /// <summary>The series of <paramref name="metric"/> over the range (empty when the store has none).</summary>
    public DoctorSeries Series(MetricDescriptor metric)
    {
        if (!_series.TryGetValue(metric, out var s))
        {
            s = DoctorSeries.Read(_store, metric, FromMs, ToMs, zeroIsUnknown: metric == MetricCatalog.GcHeapSize || metric == MetricCatalog.GcCommitted);
            _series[metric] = s;
        }

        return s;
    }

    public bool Has(MetricDescriptor metric) => !Series(metric).IsEmpty;

    /// <summary>
    /// What the runtime says survives its GCs, as a series, with words for it; null when the runtime gives nothing.
    /// .NET: the GC heap after each GC (dotnet.gc.heap.size, or the GC events' heap_after). Go: the live heap the
    /// gctrace lines report at each GC (every Go GC is a full one), or else HeapAlloc, whose troughs follow it.
    /// </summary>
    public (DoctorSeries Series, string Words)? LiveHeap()
    {
        if (!_liveHeapRead)
        {
            _liveHeap = ReadLiveHeap();
            _liveHeapRead = true;
        }

        return _liveHeap;
    }

    private (DoctorSeries Series, string Words)? ReadLiveHeap()
    {
        if (Runtime == "dotnet" || (Runtime is null && DotNetGcs.Count > 0))
        {
            if (Has(MetricCatalog.GcHeapSize))
            {
                return (Series(MetricCatalog.GcHeapSize), "GC heap after each GC");
            }

            if (DotNetGcs.Count >= 3)
            {
                return (DoctorSeries.Of(MetricCatalog.GcHeapSize, DotNetGcs.Select(g => g.TimestampMs).ToArray(), DotNetGcs.Select(g => (double)g.HeapAfter).ToArray()),
                    "GC heap after each GC");
            }

            return null;
        }

        if (Runtime == "go" || Runtime is null)
        {
            if (GoGcs.Count >= 3)
            {
                return (DoctorSeries.Of(MetricCatalog.GoGcHeapLive, GoGcs.Select(g => g.TimestampMs).ToArray(), GoGcs.Select(g => (double)g.HeapLive).ToArray()),
                    "live heap marked by each GC (gctrace)");
            }

            if (Has(MetricCatalog.GoGcHeapLive))
            {
                return (Series(MetricCatalog.GoGcHeapLive), "live heap marked by each GC (gctrace)");
            }

            if (Has(MetricCatalog.GoHeapAlloc))
            {
                return (Series(MetricCatalog.GoHeapAlloc), "HeapAlloc at its lowest between GCs");
            }
        }

        return null;
    }

    public string? Fact(string key) => Facts.TryGetValue(key, out string? v) && !string.IsNullOrWhiteSpace(v) ? v.Trim() : null;

    private string? RuntimeOf(IReadOnlyDictionary<string, string> facts)
    {
        if (facts.TryGetValue("target.runtime", out string? r) && r is "dotnet" or "go" or "native")
        {
            return r;
        }

        if (Has(MetricCatalog.GcHeapSize) || Has(MetricCatalog.GcCommitted) || DotNetGcs.Count > 0)
        {
            return "dotnet";
        }

        if (Has(MetricCatalog.GoHeapAlloc) || Has(MetricCatalog.GoGcHeapLive) || GoGcs.Count > 0)
        {
            return "go";
        }

        return null;
    }

    private static (IReadOnlyList<DotNetGc>, IReadOnlyList<GoGc>) ReadGcs(MetricStore store, long fromMs, long toMs)
    {
        const int Generation = 0, Kind = 1, HeapBefore = 2, HeapAfter = 3, Fragmented = 4, Reason = 5, Details = 6, HeapLive = 7, HeapGoal = 8, Forced = 9;
        var fields = new EventFields("generation", "kind", "heap_before", "heap_after", "fragmented", "reason", "details", "heap_live", "heap_goal", "forced");
        var dotnet = new List<DotNetGc>();
        var go = new List<GoGc>();
        foreach (var e in store.GetEvents(fromMs, toMs))
        {
            if (e.Type is not ("gc" or "go.gc") || !fields.Load(e))
            {
                continue;
            }

            if (fields.Type == "gc")
            {
                // A GC whose details were missed (several between two samples) has no sizes: it cannot say what survived.
                if (fields.Bool(Details) == false || fields.Number(HeapAfter) is not { } after)
                {
                    continue;
                }

                dotnet.Add(new DotNetGc(e.TimestampMs, (int)(fields.Number(Generation) ?? -1), fields.String(Kind) ?? "unknown",
                    (long)(fields.Number(HeapBefore) ?? after), (long)after, (long)(fields.Number(Fragmented) ?? 0), fields.String(Reason)));
            }
            else if (fields.Number(HeapLive) is { } live)
            {
                go.Add(new GoGc(e.TimestampMs, (long)live, (long)(fields.Number(HeapGoal) ?? 0), fields.Bool(Forced) ?? false));
            }
        }

        return (dotnet, go);
    }
}
