using Xunit;
using MemLens.Events;
using MemLens.Metrics;
using MemLens.Runtime;
using MemLens.Sampling;
using MemLens.Tests.Support;

namespace MemLens.Tests.Runtime;

/// <summary>
/// Forces real GCs in this process and checks the events against the runtime's own record of each GC.
/// Not parallel with other tests: their allocations would add GCs between the forced ones.
/// </summary>
[Collection(nameof(GcSensitive))]
public sealed class DotNetGcSourceTests
{
    private static readonly object[] s_keep = new object[64];

    [Fact]
    public void Each_forced_gc_becomes_one_event_with_the_runtimes_generation_kind_and_sizes()
    {
        using var source = new DotNetGcSource();
        var writer = new RecordingWriter();
        source.Sample(writer); // baseline: earlier GCs are history, not events
        Assert.Empty(writer.Events);

        // The runtime may escalate a requested generation (a gen0 request often becomes gen1), so the
        // reference is the runtime's own record of the GC, not the request.
        var seen = new HashSet<(int, GcKind)>();
        foreach (int requested in new[] { 0, 1, 2, 0, 1, 2 })
        {
            Churn();
            writer.Clear();
            GC.Collect(requested, GCCollectionMode.Forced, blocking: true, compacting: true);
            source.Sample(writer);

            var any = GC.GetGCMemoryInfo(GCKind.Any);
            var e = Assert.IsType<GcEvent>(Assert.Single(writer.Events));
            Assert.True(e.HasDetails);
            Assert.Equal(any.Index, e.Index);
            Assert.Equal(any.Generation, e.Generation);
            Assert.True(e.Generation >= requested);
            var expectedKind = any.Generation < 2 ? GcKind.Ephemeral : any.Concurrent ? GcKind.Background : GcKind.FullBlocking;
            Assert.Equal(expectedKind, e.Kind);
            var reference = GC.GetGCMemoryInfo(e.Kind switch
            {
                GcKind.Ephemeral => GCKind.Ephemeral,
                GcKind.Background => GCKind.Background,
                _ => GCKind.FullBlocking,
            });
            Assert.Equal(e.Index, reference.Index);
            AssertSameSizes(reference, e);
            seen.Add((e.Generation, e.Kind));

            // The gauges follow the same GC.
            Assert.Equal(reference.HeapSizeBytes, writer.Values[MetricCatalog.GcHeapSize]);
            Assert.Equal(reference.GenerationInfo[2].SizeAfterBytes, writer.Values[MetricCatalog.GcGen2Size]);
            Assert.Equal(GC.CollectionCount(0), writer.Values[MetricCatalog.GcCollections]);
        }

        Assert.Contains((2, GcKind.FullBlocking), seen);
        Assert.Contains(seen, s => s.Item2 == GcKind.Ephemeral);
    }

    [Fact]
    public void A_background_gc_is_reported_as_background_with_its_details()
    {
        using var source = new DotNetGcSource(maxHold: TimeSpan.FromSeconds(30));
        var writer = new RecordingWriter();
        source.Sample(writer);
        writer.Clear();
        long before = GC.GetGCMemoryInfo(GCKind.Background).Index;
        long firstExpected = Math.Max(GC.CollectionCount(0), GC.GetGCMemoryInfo(GCKind.Any).Index) + 1;

        // A natural gen2 GC under a growing old generation is a background GC (concurrent GC is on by default).
        var survivors = new List<byte[]>();
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (GC.GetGCMemoryInfo(GCKind.Background).Index == before && DateTime.UtcNow < deadline)
        {
            survivors.Add(new byte[4000]);
            if (survivors.Count > 50_000)
            {
                survivors.RemoveRange(0, 25_000);
            }
        }

        survivors.Clear();
        var reference = GC.GetGCMemoryInfo(GCKind.Background);
        Assert.True(reference.Index > before, "no background GC happened within 20 s");
        writer.TimestampMs = MonotonicClock.NowUnixMs;
        source.Sample(writer);

        var events = writer.Events.OfType<GcEvent>().ToList();
        var bgc = Assert.Single(events, e => e.Index == reference.Index);
        Assert.True(bgc.HasDetails);
        Assert.Equal(GcKind.Background, bgc.Kind);
        Assert.Equal(2, bgc.Generation);
        Assert.True(bgc.Concurrent);
        AssertSameSizes(reference, bgc);
        AssertNoGaps(events);
        Assert.Equal(firstExpected, events[0].Index);
    }

    [Fact]
    public void Gcs_between_two_samples_are_all_counted_and_the_undetailed_ones_flagged()
    {
        using var source = new DotNetGcSource(maxHold: TimeSpan.FromMilliseconds(500));
        var writer = new RecordingWriter();
        source.Sample(writer);
        long before = GC.GetGCMemoryInfo(GCKind.Any).Index;
        int c0Before = GC.CollectionCount(0), c1Before = GC.CollectionCount(1), c2Before = GC.CollectionCount(2);
        writer.Clear();

        for (int i = 0; i < 5; i++)
        {
            Churn();
            GC.Collect(0, GCCollectionMode.Forced, blocking: true);
        }

        long after = GC.GetGCMemoryInfo(GCKind.Any).Index;
        var latestOfEachKind = new[] { GCKind.Ephemeral, GCKind.FullBlocking, GCKind.Background }
            .Select(GC.GetGCMemoryInfo).Where(i => i.Index > before).ToDictionary(i => i.Index);

        // If a gen2 GC among them lacks details, the source waits up to MaxHold in case it is a background
        // GC still running; sampling on as the sampler does, every GC arrives.
        var deadline = DateTime.UtcNow + source.MaxHold + TimeSpan.FromSeconds(2);
        do
        {
            writer.TimestampMs = MonotonicClock.NowUnixMs;
            source.Sample(writer);
            if (Burst().Count < after - before)
            {
                Thread.Sleep(100);
            }
        }
        while (Burst().Count < after - before && DateTime.UtcNow < deadline);

        // GCs after the burst (this test allocates too) may follow; they are not what is checked here.
        List<GcEvent> Burst() => writer.Events.OfType<GcEvent>().Where(e => e.Index <= after).ToList();
        var events = Burst();
        Assert.True(after - before >= 2, "the forced GCs should give several GCs between two samples");
        Assert.Equal(after - before, events.Count);
        Assert.Equal(before + 1, events[0].Index);
        AssertNoGaps(events);
        // Details exist only for the latest GC of each kind; every other GC is flagged, not dropped.
        Assert.True(events[^1].HasDetails);
        Assert.All(events, e => Assert.Equal(latestOfEachKind.ContainsKey(e.Index), e.HasDetails));
        var undetailed = events.Where(e => !e.HasDetails).ToList();
        Assert.NotEmpty(undetailed);
        Assert.Equal(undetailed.Count, source.MissedDetails);

        // The generation of an undetailed GC is given only when the per-generation counts make it certain.
        int d0 = GC.CollectionCount(0) - c0Before, d1 = GC.CollectionCount(1) - c1Before, d2 = GC.CollectionCount(2) - c2Before;
        int[] left = [d0 - d1, d1 - d2, d2];
        foreach (var info in latestOfEachKind.Values)
        {
            left[info.Generation]--;
        }

        int nonZero = left.Count(n => n > 0);
        int expected = nonZero == 1 ? Array.FindIndex(left, n => n > 0) : -1;
        Assert.All(undetailed, e => Assert.Equal(expected, e.Generation));
    }

    [Fact]
    public void Without_a_gc_a_sample_writes_counters_and_cached_gauges_but_no_event()
    {
        GC.Collect();
        using var source = new DotNetGcSource();
        var writer = new RecordingWriter();
        source.Sample(writer);
        writer.Clear();
        source.Sample(writer);
        Assert.Empty(writer.Events);
        Assert.True(writer.Values[MetricCatalog.GcAllocated] > 0);
        Assert.Equal(GC.GetGCMemoryInfo().HeapSizeBytes, writer.Values[MetricCatalog.GcHeapSize]);
    }

    private static void AssertNoGaps(List<GcEvent> events)
    {
        for (int i = 1; i < events.Count; i++)
        {
            Assert.Equal(events[i - 1].Index + 1, events[i].Index);
        }
    }

    private static void AssertSameSizes(GCMemoryInfo reference, GcEvent e)
    {
        Assert.Equal(reference.HeapSizeBytes, e.HeapSizeAfterBytes);
        Assert.Equal(reference.TotalCommittedBytes, e.CommittedBytes);
        Assert.Equal(reference.FragmentedBytes, e.FragmentedBytes);
        Assert.Equal(reference.PromotedBytes, e.PromotedBytes);
        Assert.Equal(reference.PinnedObjectsCount, e.PinnedObjects);
        Assert.Equal(reference.Compacted, e.Compacted);
        Assert.Equal(reference.PauseDurations[0] + reference.PauseDurations[1], e.Pause);
        Assert.Equal(reference.GenerationInfo.Length, e.Generations.Count);
        for (int g = 0; g < reference.GenerationInfo.Length; g++)
        {
            Assert.Equal(reference.GenerationInfo[g].SizeBeforeBytes, e.Generations[g].SizeBeforeBytes);
            Assert.Equal(reference.GenerationInfo[g].SizeAfterBytes, e.Generations[g].SizeAfterBytes);
            Assert.Equal(reference.GenerationInfo[g].FragmentationBeforeBytes, e.Generations[g].FragmentationBeforeBytes);
            Assert.Equal(reference.GenerationInfo[g].FragmentationAfterBytes, e.Generations[g].FragmentationAfterBytes);
        }
    }

    // Gives each GC something to collect and promote, so sizes differ from one GC to the next.
    private static void Churn()
    {
        for (int i = 0; i < s_keep.Length; i++)
        {
            s_keep[i] = new byte[1024 * (i + 1)];
        }
    }
}

[CollectionDefinition(nameof(GcSensitive), DisableParallelization = true)]
public sealed class GcSensitive;
