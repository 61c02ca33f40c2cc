using System.Diagnostics;
using MemLens.Events;
using MemLens.Metrics;
using MemLens.Sampling;

namespace MemLens.Runtime;

/// <summary>
/// The .NET runtime's own view of the current process, read through the GC APIs: heap size,
/// committed, fragmentation, per-generation sizes, allocation and pause totals, and one
/// <see cref="GcEvent"/> per GC.
/// </summary>
/// <remarks>
/// <para>Cheap in steady state: <see cref="GC.CollectionCount"/>, <see cref="GC.GetTotalAllocatedBytes"/>
/// and <see cref="GC.GetTotalPauseDuration"/> do not allocate, and <see cref="GC.GetGCMemoryInfo(GCKind)"/>
/// (which does) is only called when the collection count says a GC happened since the last sample.</para>
/// <para>Every GC index after the first sample gets an event. The runtime keeps the details of only the
/// latest GC of each kind (ephemeral, full blocking, background), so when several GCs fall between two
/// samples the older ones are emitted with <see cref="GcEvent.HasDetails"/> false (counted and flagged,
/// not lost), and their generation is filled in when the per-generation counts make it certain.
/// GCs that happened before the first sample are history: they are summed in the counters, not
/// replayed as events.</para>
/// </remarks>
public sealed class DotNetGcSource : IMetricSource
{
    private static readonly GCKind[] s_kinds = [GCKind.Ephemeral, GCKind.FullBlocking, GCKind.Background];

    // Gauges from the last GC, cached so every sample can write them without calling GetGCMemoryInfo.
    private readonly double[] _gauges = new double[s_gaugeMetrics.Length];
    private static readonly MetricDescriptor[] s_gaugeMetrics =
    [
        MetricCatalog.GcHeapSize, MetricCatalog.GcCommitted, MetricCatalog.GcFragmented, MetricCatalog.GcPromoted,
        MetricCatalog.GcPinned, MetricCatalog.GcGen0Size, MetricCatalog.GcGen1Size, MetricCatalog.GcGen2Size,
        MetricCatalog.GcLohSize, MetricCatalog.GcPohSize, MetricCatalog.GcMemoryLoad, MetricCatalog.GcAvailable,
    ];

    // GCs found since the last emission, by index; bounded by the hold time (at most 3 per sample).
    private readonly Dictionary<long, GCMemoryInfo> _pending = [];
    private bool _started;
    private bool _haveGauges;
    private int _lastCount0;
    private int _lastCount1;
    private int _lastCount2;
    private long _lastIndex;
    private long _holdStartTicks;

    /// <param name="interval">How often to sample. Default: 1 s.</param>
    /// <param name="maxHold">
    /// How long to hold back GC events while a counted gen2 GC has no details yet (a background GC still
    /// running records its details only when it ends). Default: 2 s.
    /// </param>
    public DotNetGcSource(TimeSpan? interval = null, TimeSpan? maxHold = null)
    {
        Interval = interval ?? TimeSpan.FromSeconds(1);
        MaxHold = maxHold ?? TimeSpan.FromSeconds(2);
    }

    public string Name => "dotnet.gc";

    public TimeSpan Interval { get; }

    /// <summary>See the constructor.</summary>
    public TimeSpan MaxHold { get; }

    /// <summary>GCs emitted without details since the source started (several GCs between two samples).</summary>
    public long MissedDetails { get; private set; }

    public void Sample(ISampleWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        int c0 = GC.CollectionCount(0);
        int c1 = GC.CollectionCount(1);
        int c2 = GC.CollectionCount(2);

        writer.Write(MetricCatalog.GcCollections, c0);
        writer.Write(MetricCatalog.GcGen0Collections, c0 - c1);
        writer.Write(MetricCatalog.GcGen1Collections, c1 - c2);
        writer.Write(MetricCatalog.GcGen2Collections, c2);
        writer.Write(MetricCatalog.GcAllocated, GC.GetTotalAllocatedBytes(false));
        writer.Write(MetricCatalog.GcPauseTime, GC.GetTotalPauseDuration().TotalSeconds);

        if (!_started)
        {
            var any = GC.GetGCMemoryInfo(GCKind.Any);
            if (any.Index > 0)
            {
                CacheGauges(any);
            }

            SetBaseline(Math.Max(c0, any.Index), c0, c1, c2);
            _started = true;
        }
        else if (c0 != _lastCount0 || _holdStartTicks != 0)
        {
            var any = GC.GetGCMemoryInfo(GCKind.Any);
            if (any.Index > 0)
            {
                CacheGauges(any);
            }

            CollectDetails();
            long newest = Math.Max(c0, any.Index);
            if (!ShouldHold(newest, c2))
            {
                EmitEvents(writer, newest, c0 - _lastCount0, c1 - _lastCount1, c2 - _lastCount2);
                SetBaseline(newest, c0, c1, c2);
            }
        }

        if (_haveGauges)
        {
            for (int i = 0; i < s_gaugeMetrics.Length; i++)
            {
                writer.Write(s_gaugeMetrics[i], _gauges[i]);
            }
        }
    }

    private void SetBaseline(long index, int c0, int c1, int c2)
    {
        _lastIndex = index;
        _lastCount0 = c0;
        _lastCount1 = c1;
        _lastCount2 = c2;
        _pending.Clear();
        _holdStartTicks = 0;
    }

    // Keeps the details of the latest GC of each kind before a later GC of the same kind overwrites them.
    private void CollectDetails()
    {
        foreach (var kind in s_kinds)
        {
            var info = GC.GetGCMemoryInfo(kind);
            if (info.Index > _lastIndex && !_pending.ContainsKey(info.Index))
            {
                _pending[info.Index] = info;
            }
        }
    }

    // A gen2 GC that was counted but has no details may be a background GC still running: wait for it,
    // up to MaxHold, so that its event carries its details instead of being flagged as missed. A running
    // background GC is the newest gen2 GC (a blocking gen2 cannot start before it ends), so there is
    // nothing to wait for unless some GC after the newest detailed gen2 GC lacks details.
    private bool ShouldHold(long newest, int c2)
    {
        int gen2WithDetails = 0;
        long newestDetailedGen2 = _lastIndex;
        foreach (var info in _pending.Values)
        {
            if (info.Generation == 2)
            {
                gen2WithDetails++;
                newestDetailedGen2 = Math.Max(newestDetailedGen2, info.Index);
            }
        }

        bool undetailedAfter = false;
        for (long index = newestDetailedGen2 + 1; index <= newest && !undetailedAfter; index++)
        {
            undetailedAfter = !_pending.ContainsKey(index);
        }

        if (c2 - _lastCount2 <= gen2WithDetails || !undetailedAfter)
        {
            return false;
        }

        if (_holdStartTicks == 0)
        {
            _holdStartTicks = Stopwatch.GetTimestamp();
        }

        return Stopwatch.GetElapsedTime(_holdStartTicks) < MaxHold;
    }

    private void CacheGauges(GCMemoryInfo info)
    {
        var gens = info.GenerationInfo;
        _gauges[0] = info.HeapSizeBytes;
        _gauges[1] = info.TotalCommittedBytes;
        _gauges[2] = info.FragmentedBytes;
        _gauges[3] = info.PromotedBytes;
        _gauges[4] = info.PinnedObjectsCount;
        for (int g = 0; g < 5; g++)
        {
            _gauges[5 + g] = g < gens.Length ? gens[g].SizeAfterBytes : 0;
        }

        _gauges[10] = info.MemoryLoadBytes;
        _gauges[11] = info.TotalAvailableMemoryBytes;
        _haveGauges = true;
    }

    private void EmitEvents(ISampleWriter writer, long newestIndex, int d0, int d1, int d2)
    {
        // Per-generation counts of the GCs in the window (a gen2 GC counts in c0, c1 and c2); the ones
        // with details are taken out, and if the rest are all of one generation, that generation is certain.
        int gen2 = d2;
        int gen1 = d1 - d2;
        int gen0 = d0 - d1;
        foreach (var info in _pending.Values)
        {
            switch (info.Generation)
            {
                case 2: gen2--; break;
                case 1: gen1--; break;
                default: gen0--; break;
            }
        }

        int kinds = (gen0 > 0 ? 1 : 0) + (gen1 > 0 ? 1 : 0) + (gen2 > 0 ? 1 : 0);
        int undetailedGeneration = kinds == 1 ? (gen0 > 0 ? 0 : gen1 > 0 ? 1 : 2) : -1;

        for (long index = _lastIndex + 1; index <= newestIndex; index++)
        {
            if (_pending.TryGetValue(index, out var detailed))
            {
                writer.Event(ToEvent(writer.TimestampMs, detailed));
            }
            else
            {
                MissedDetails++;
                writer.Event(new GcEvent(writer.TimestampMs, index) { Generation = undetailedGeneration, HasDetails = false });
            }
        }
    }

    /// <summary>Turns the runtime's record of one GC into an event.</summary>
    internal static GcEvent ToEvent(long timestampMs, GCMemoryInfo info)
    {
        var gens = info.GenerationInfo;
        var sizes = new GcGenerationSizes[gens.Length];
        long before = 0;
        for (int g = 0; g < gens.Length; g++)
        {
            var gi = gens[g];
            sizes[g] = new GcGenerationSizes(gi.SizeBeforeBytes, gi.SizeAfterBytes, gi.FragmentationBeforeBytes, gi.FragmentationAfterBytes);
            before += gi.SizeBeforeBytes;
        }

        var pause = TimeSpan.Zero;
        foreach (var p in info.PauseDurations)
        {
            pause += p;
        }

        return new GcEvent(timestampMs, info.Index)
        {
            Generation = info.Generation,
            Kind = info.Generation < 2 ? GcKind.Ephemeral : info.Concurrent ? GcKind.Background : GcKind.FullBlocking,
            HasDetails = true,
            Compacted = info.Compacted,
            Concurrent = info.Concurrent,
            Pause = pause,
            PauseTimePercentage = info.PauseTimePercentage,
            HeapSizeBeforeBytes = before,
            HeapSizeAfterBytes = info.HeapSizeBytes,
            CommittedBytes = info.TotalCommittedBytes,
            FragmentedBytes = info.FragmentedBytes,
            PromotedBytes = info.PromotedBytes,
            PinnedObjects = info.PinnedObjectsCount,
            Generations = sizes,
        };
    }

    public void Dispose()
    {
    }
}
