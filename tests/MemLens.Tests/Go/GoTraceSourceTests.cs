using MemLens.Events;
using MemLens.Go;
using MemLens.Metrics;
using MemLens.Storage;
using MemLens.Tests.Support;
using Xunit;

namespace MemLens.Tests.Go;

/// <summary>The live Go trace source (memlens run, trace -) and the replay of a saved log (trace FILE).</summary>
public class GoTraceSourceTests
{
    private const string Gc1 = "gc 1 @0.032s 1%: 0.038+1.3+0.070 ms clock, 0.076+0/0.50/0.71+0.14 ms cpu, 3->3->0 MB, 4 MB goal, 0 MB stacks, 0 MB globals, 2 P";
    private const string Scav1 = "scav 128 KiB work, 1872 KiB total, 55% util";
    private const string Gc2 = "gc 2 @0.067s 2%: 0.094+1.2+0.004 ms clock, 0.18+1.1/0.11/0+0.008 ms cpu, 5->6->1 MB, 7 MB goal, 0 MB stacks, 0 MB globals, 2 P (forced)";
    private const string Scav2 = "scav 64 KiB work, 1936 KiB total, 60% util";

    private static string FixturePath => Path.Combine(AppContext.BaseDirectory, "Fixtures", "go", "go1.19.gctrace.txt");

    [Fact]
    public void Lines_become_events_with_their_read_time_and_the_last_gc_becomes_the_series()
    {
        using var source = new GoTraceSource();
        Assert.Equal(GoTraceLineKind.Gc, source.Offer(Gc1, 1_000));
        Assert.Equal(GoTraceLineKind.Scavenge, source.Offer(Scav1, 1_001));
        Assert.Equal(GoTraceLineKind.Other, source.Offer("listening on :8080", 1_002));
        Assert.Equal(GoTraceLineKind.Gc, source.Offer(Gc2, 1_003));
        Assert.Equal(GoTraceLineKind.Scavenge, source.Offer(Scav2, 1_004));

        var writer = new RecordingWriter();
        source.Sample(writer);

        Assert.Equal(["go.gc", "go.scavenge", "go.gc", "go.scavenge"], writer.Events.Select(e => e.Type));
        Assert.Equal([1_000L, 1_001, 1_003, 1_004], writer.Events.Select(e => e.TimestampMs));
        // The series hold the interval's last GC: gc 2.
        Assert.Equal(2, writer.Values[MetricCatalog.GoGcCount]);
        Assert.Equal(5 << 20, writer.Values[MetricCatalog.GoGcHeapStart]);
        Assert.Equal(6 << 20, writer.Values[MetricCatalog.GoGcHeapEnd]);
        Assert.Equal(1 << 20, writer.Values[MetricCatalog.GoGcHeapLive]);
        Assert.Equal(7 << 20, writer.Values[MetricCatalog.GoGcHeapGoal]);
        Assert.Equal(0.000098, writer.Values[MetricCatalog.GoGcStopTheWorld], 9);
        Assert.Equal(0.0012, writer.Values[MetricCatalog.GoGcMark], 9);
        Assert.Equal(0.02, writer.Values[MetricCatalog.GoGcCpu], 9);
        // Scavenger: the latest total, and the work of both reports added up.
        Assert.Equal(1936 << 10, writer.Values[MetricCatalog.GoScavengerReleased]);
        Assert.Equal((128 + 64) << 10, writer.Values[MetricCatalog.GoScavengerWork]);
        Assert.Equal(2, source.Tally.GcLines);
        Assert.Equal(2, source.Tally.ScavengeLines);
        Assert.Equal(1, source.Tally.OtherLines);

        // Nothing new: no events, no GC series rewritten; the work counter carries on.
        writer.Clear();
        source.Sample(writer);
        Assert.Empty(writer.Events);
        Assert.False(writer.Values.ContainsKey(MetricCatalog.GoGcCount));
        Assert.Equal((128 + 64) << 10, writer.Values[MetricCatalog.GoScavengerWork]);
    }

    [Fact]
    public void Malformed_lines_are_counted_and_the_first_ones_shown_as_notes()
    {
        using var source = new GoTraceSource();
        for (int i = 0; i < GoTraceSource.MaxMalformedNotes + 5; i++)
        {
            Assert.Equal(GoTraceLineKind.Malformed, source.Offer($"gc {i} @garbled", i));
        }

        var writer = new RecordingWriter();
        source.Sample(writer);
        Assert.Equal(GoTraceSource.MaxMalformedNotes + 5, source.Tally.MalformedLines);
        var notes = writer.Events.OfType<NoteEvent>().ToList();
        Assert.Equal(GoTraceSource.MaxMalformedNotes, notes.Count);
        Assert.All(notes, n => Assert.Equal("go.trace.malformed", n.Type));
        Assert.Contains("gc 0 @garbled", notes[0].Message, StringComparison.Ordinal);
        Assert.Empty(writer.Values);
    }

    [Fact]
    public void The_queue_between_samples_is_bounded_and_losses_are_said()
    {
        using var source = new GoTraceSource();
        for (int i = 0; i < GoTraceSource.MaxPendingEvents + 10; i++)
        {
            source.Offer(Gc1, i);
        }

        var writer = new RecordingWriter();
        source.Sample(writer);
        Assert.Equal(10, source.DroppedEvents);
        Assert.Equal(GoTraceSource.MaxPendingEvents, writer.Events.Count(e => e.Type == "go.gc"));
        var note = Assert.Single(writer.Events.OfType<NoteEvent>(), n => n.Type == "source.note");
        Assert.StartsWith("10 Go trace lines were dropped", note.Message, StringComparison.Ordinal);

        // Said once.
        writer.Clear();
        source.Sample(writer);
        Assert.Empty(writer.Events);
    }

    [Fact]
    public void A_timeline_follows_the_gc_times_and_never_goes_back()
    {
        var timeline = new GoTraceTimeline();
        Assert.Equal(0, timeline.Place(null)); // a scav line before any GC sits at the start
        Assert.Equal(32, timeline.Place(Gc(Gc1)));
        Assert.Equal(32, timeline.Place(null)); // scav after gc 1: at gc 1
        Assert.Equal(67, timeline.Place(Gc(Gc2)));
        // A second run of the program in the same log: its gc 1 at 32 ms comes right after, then its own pace.
        Assert.Equal(67, timeline.Place(Gc(Gc1)));
        Assert.Equal(67 + (67 - 32), timeline.Place(Gc(Gc2)));
    }

    [Fact]
    public void A_saved_log_replays_into_the_store_on_its_own_timeline_ending_at_the_given_time()
    {
        string[] lines = File.ReadAllLines(FixturePath);
        var gcLines = lines.Select(l => GoTraceLine.Parse(l)).Where(p => p.Kind == GoTraceLineKind.Gc).Select(p => p.Gc!).ToList();
        const long end = 1_800_000_000_000;
        var store = new MetricStore();
        var visited = new List<(GoTraceLineKind Kind, long At)>();

        var tally = GoTraceReplay.Load(() => new StringReader(string.Join('\n', lines)), end, store, (k, _, at) => visited.Add((k, at)));

        Assert.Equal(gcLines.Count, tally.GcLines);
        Assert.Equal(lines.Count(l => l.StartsWith("scav ", StringComparison.Ordinal)), tally.ScavengeLines);
        Assert.Equal(0, tally.MalformedLines);
        Assert.Equal(lines.Length, visited.Count);
        Assert.True(visited.Zip(visited.Skip(1)).All(p => p.First.At <= p.Second.At), "the timeline only moves forward");

        // The capture holds four runs (go build's compiler and linker ran with the same GODEBUG, then the program):
        // within a run, GCs are as far apart as their @#s times say; a new run starts where the last one ended.
        var events = store.GetEvents(0, long.MaxValue).OfType<GoGcTraceEvent>().ToList();
        Assert.Equal(gcLines.Select(g => g.Number), events.Select(e => e.Number));
        Assert.Equal(4, events.Count(e => e.Number == 1));
        foreach (var (a, b) in events.Zip(events.Skip(1)))
        {
            long expected = b.Number > a.Number ? (long)b.SinceStart.TotalMilliseconds - (long)a.SinceStart.TotalMilliseconds : 0;
            Assert.Equal(expected, b.TimestampMs - a.TimestampMs);
        }

        Assert.True(store.TryGetLatest(MetricCatalog.GoGcCount, out long ts, out double count));
        Assert.Equal(end, ts);
        Assert.Equal(gcLines[^1].Number, count);
        Assert.True(store.TryGetLatest(MetricCatalog.GoGcHeapLive, out _, out double live));
        Assert.Equal(gcLines[^1].HeapLiveBytes, live);
        Assert.True(store.TryGetLatest(MetricCatalog.GoScavengerReleased, out _, out double released));
        var lastScav = GoTraceLine.Parse(lines.Last(l => l.StartsWith("scav ", StringComparison.Ordinal))).Scavenge!;
        Assert.Equal(lastScav.HeapReleasedBytes, (long)released);
    }

    [Fact]
    public void A_replay_keeps_only_the_first_malformed_lines_in_the_store_but_shows_all_to_the_visitor()
    {
        var log = string.Join('\n', Enumerable.Range(1, 30).Select(i => $"gc {i} @broken"));
        var store = new MetricStore();
        int visitedNotes = 0;
        var tally = GoTraceReplay.Load(() => new StringReader(log), 1_000_000, store, (k, e, _) => visitedNotes += e is NoteEvent ? 1 : 0);
        Assert.Equal(30, tally.MalformedLines);
        Assert.Equal(30, visitedNotes);
        Assert.Equal(GoTraceSource.MaxMalformedNotes, store.GetEvents(0, long.MaxValue).Count);
    }

    private static GoGcTraceEvent Gc(string line) => GoTraceLine.Parse(line).Gc!;
}
