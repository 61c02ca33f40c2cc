using System.Globalization;
using MemLens.Diagnostics.Snapshots;
using MemLens.Snapshots;
using MemLens.Tests.Shared.Snapshots;
using Xunit;
using Xunit.Abstractions;

namespace MemLens.Diagnostics.Tests.Snapshots;

/// <summary>
/// Real snapshots of a real process holding known structures: the retention tree must name the static field,
/// handle or thread that holds each one, and the bytes a root retains must match the program's own arithmetic.
/// </summary>
public sealed class RetentionSnapshotTests(ITestOutputHelper output)
{
    private const int Count = 400;
    private const int Payload = 20_000;

    private static string Label(HeapRetention r, string typeName) => r.MainHolder(typeName) ?? "(none)";

    private void Dump(HeapSnapshotResult result)
    {
        var r = result.Snapshot.Retention!;
        output.WriteLine($"note: {result.Snapshot.Note}");
        output.WriteLine($"graph: {result.Graph}");
        foreach (var i in Enumerable.Range(0, r.Nodes.Count).Where(i => r.Nodes[i].RetainedBytes > 100_000).Take(60))
        {
            output.WriteLine($"{r.Nodes[i].RetainedBytes,12:N0} {r.Nodes[i].Count,6} {r.PathText(i)}");
        }
    }

    [Fact]
    public async Task Each_structure_is_held_by_its_named_root_with_the_bytes_it_holds()
    {
        await using var target = await RetentionTargetProcess.StartAsync(Count, Payload);
        var phases = new Phases();
        var result = await new HeapSnapshotter().TakeAsync(target.Pid, phases, CancellationToken.None);
        Dump(result);
        Assert.Equal(["connecting", "walking heap", "reading types", "naming static fields", "analysing", "done"], phases.Distinct());
        var snapshot = result.Snapshot;
        var retention = snapshot.Retention;
        Assert.NotNull(retention);
        Assert.NotNull(result.Graph);
        Assert.Null(result.Graph.StaticNamingError);
        Assert.Equal(default, result.Graph.Losses with { DanglingEdges = 0, DanglingRoots = 0 });
        Assert.False(snapshot.Truncated, snapshot.Note);
        Assert.Equal(0, snapshot.EventsLost);

        // The static event: its subscribers' path starts at the field, not at the runtime's statics array.
        string session = Label(retention, "Session");
        Assert.StartsWith("static Hub.Changed → ", session, StringComparison.Ordinal);
        AssertRootRetains(retention, "static Hub.Changed", target.Payloads);

        // The static cache.
        Assert.StartsWith("static Catalog.Cache → ", Label(retention, "Entry"), StringComparison.Ordinal);
        AssertRootRetains(retention, "static Catalog.Cache", target.Payloads);

        // The ConditionalWeakTable's values are held through their keys (key → value), the keys by their static list.
        Assert.StartsWith("static Tags.Keys → ", Label(retention, "Attached"), StringComparison.Ordinal);
        Assert.EndsWith("→ Key", Label(retention, "Attached"), StringComparison.Ordinal);

        // A strong GC handle, and a parked thread's local.
        Assert.Equal("strong handle", Label(retention, "HandleHeld"));
        Assert.Equal("stack", Label(retention, "StackHeld"));
    }

    /// <summary>
    /// The static fields are read after the walk's GC, so their values are where the objects are after it. Moved.Holder
    /// is allocated after the target's last GC among garbage, so that GC compacts it elsewhere: the test checks it moved,
    /// and that its static still names it in the graph, which can only be when the walk's addresses are the ones after
    /// the compaction (else the field's value would be no node: ValueNotInGraph).
    /// </summary>
    [Fact]
    public async Task The_walk_reports_addresses_after_its_gc_compacts()
    {
        await using var target = await RetentionTargetProcess.StartAsync(2000, 100);
        var result = await new HeapSnapshotter().TakeAsync(target.Pid, null, CancellationToken.None);
        ulong after = await target.HolderNowAsync();
        output.WriteLine($"Moved.Holder at 0x{target.HolderAtStart:x} before the snapshot, 0x{after:x} after; {result.Graph}");
        Assert.NotEqual(target.HolderAtStart, after);
        Assert.Equal(0, result.Graph!.Statics.ValueNotInGraph);
        Assert.Contains(result.Snapshot.Retention!.Nodes, n => n.Kind == RetentionNodeKind.Root && n.Label == "static Moved.Holder");
    }

    [Fact]
    public async Task Over_the_graph_limits_the_snapshot_says_it_is_truncated_and_why()
    {
        await using var target = await RetentionTargetProcess.StartAsync(50, 100);
        var options = new HeapSnapshotOptions { MaxGraphNodes = 1000, MaxGraphEdges = 500, MaxGraphRoots = 10 };
        var result = await new HeapSnapshotter(options).TakeAsync(target.Pid, null, CancellationToken.None);
        var snapshot = result.Snapshot;
        output.WriteLine(snapshot.Note);
        Assert.Equal(SnapshotStop.Completed, result.Stop); // the walk itself ended; the graph did not keep all of it
        Assert.True(snapshot.Truncated);
        Assert.NotNull(snapshot.Retention);
        Assert.True(result.Graph!.Losses.NodesOverLimit > 0);
        Assert.True(result.Graph.Losses.EdgesOverLimit > 0);
        Assert.True(result.Graph.Losses.RootsOverLimit > 0);
        Assert.Equal(1000, result.Graph.Nodes);
        Assert.StartsWith("the object graph is incomplete: ", snapshot.Note, StringComparison.Ordinal);
        Assert.Contains("objects over the limit of 1,000", snapshot.Note, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', snapshot.Note!);
        // The histogram is not bounded by the graph: every object is still counted.
        Assert.True(snapshot.TotalObjects > 1000);
    }

    [Fact]
    public async Task Static_fields_beyond_the_limit_are_counted_and_said()
    {
        await using var target = await RetentionTargetProcess.StartAsync(10, 100);
        var result = await new HeapSnapshotter(new HeapSnapshotOptions { MaxStaticFields = 3 }).TakeAsync(target.Pid, null, CancellationToken.None);
        output.WriteLine(result.Snapshot.Note);
        Assert.Equal(3, result.Graph!.StaticFieldsRead);
        Assert.True(result.Graph.StaticFieldsOverLimit > 0);
        Assert.Contains("static fields were not named (over the limit of 3 fields", result.Snapshot.Note, StringComparison.Ordinal);
        Assert.False(result.Snapshot.Truncated); // fewer names, not fewer objects
    }

    [Fact]
    public void A_process_cannot_read_its_own_static_fields_and_says_so_in_one_line()
    {
        var read = StaticFieldReader.Read(Environment.ProcessId, 100, TimeSpan.FromSeconds(5));
        Assert.Empty(read.Fields);
        Assert.Equal("a process cannot attach to itself to read its static fields", read.Error);
    }

    [Fact]
    public void Attaching_to_a_process_that_does_not_exist_fails_in_one_line()
    {
        var read = StaticFieldReader.Read(int.MaxValue, 100, TimeSpan.FromSeconds(5));
        Assert.Empty(read.Fields);
        Assert.NotNull(read.Error);
        Assert.DoesNotContain('\n', read.Error);
    }

    [Fact]
    public async Task Without_the_graph_the_snapshot_is_a_histogram_only()
    {
        await using var target = await RetentionTargetProcess.StartAsync(10, 1000);
        var result = await new HeapSnapshotter(new HeapSnapshotOptions { CaptureGraph = false }).TakeAsync(target.Pid, null, CancellationToken.None);
        Assert.Null(result.Snapshot.Retention);
        Assert.Null(result.Graph);
        Assert.Contains(result.Snapshot.Types, t => t.Name == "Session" && t.Count == 10);
    }

    [Fact]
    public async Task Without_static_naming_the_event_is_held_by_the_runtimes_statics_array()
    {
        await using var target = await RetentionTargetProcess.StartAsync(20, 1000);
        var result = await new HeapSnapshotter(new HeapSnapshotOptions { NameStaticFields = false }).TakeAsync(target.Pid, null, CancellationToken.None);
        var retention = result.Snapshot.Retention;
        Assert.NotNull(retention);
        Assert.Equal(0, result.Graph!.StaticFieldsRead);
        Assert.DoesNotContain("Hub.Changed", Label(retention, "Session"), StringComparison.Ordinal);
    }

    /// <summary>Progress phases in the order reported (synchronously, unlike Progress&lt;T&gt;).</summary>
    private sealed class Phases : IProgress<SnapshotProgress>
    {
        private readonly List<string> _seen = [];

        public void Report(SnapshotProgress value)
        {
            lock (_seen)
            {
                _seen.Add(value.Phase);
            }
        }

        public string[] Distinct()
        {
            lock (_seen)
            {
                return _seen.Distinct().ToArray();
            }
        }
    }

    /// <summary>The root labelled <paramref name="label"/> retains the payloads and a few % of holders around them.</summary>
    private static void AssertRootRetains(HeapRetention retention, string label, long payloads)
    {
        var roots = retention.Nodes.Where(n => n.Kind == RetentionNodeKind.Root && n.Label == label).ToList();
        Assert.Single(roots);
        double ratio = (double)roots[0].RetainedBytes / payloads;
        Assert.True(ratio is >= 1.0 and < 1.05,
            string.Create(CultureInfo.InvariantCulture, $"{label} retains {roots[0].RetainedBytes:N0} bytes; the payloads are {payloads:N0} (ratio {ratio:0.000})"));
    }
}
