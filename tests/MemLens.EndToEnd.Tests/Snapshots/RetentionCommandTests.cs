using System.Text;
using System.Text.Json;
using MemLens.Snapshots;
using MemLens.Tests.Shared.Snapshots;
using MemLens.Tool.Snapshots;
using Xunit;

namespace MemLens.EndToEnd.Tests.Snapshots;

/// <summary>
/// `memlens snapshot --from`, `diff` and `paths` on snapshot files with retention data, written by SnapshotFile from
/// heaps built through the real graph analysis (an event that keeps Sessions alive, a cache, an unrooted object).
/// </summary>
public sealed class RetentionCommandTests : IDisposable
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(60);
    private const string SessionPath = "static Hub.Changed → System.EventHandler → System.Object[] → App.Session";
    private readonly string _dir = Directory.CreateTempSubdirectory("memlens-retention-test-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string name, HeapSnapshot snapshot)
    {
        string path = Path.Combine(_dir, name);
        SnapshotFile.Write(path, snapshot);
        return path;
    }

    private static List<string> Lines(string text) => [.. text.Split('\n', StringSplitOptions.RemoveEmptyEntries)];

    private static int LineOf(List<string> lines, string type) => lines.FindIndex(l => l.TrimStart().StartsWith(type + " ", StringComparison.Ordinal));

    [Fact]
    public async Task Snapshot_from_a_file_with_retention_orders_by_retained_bytes_and_names_each_types_holder()
    {
        string file = Write("leak.json", RetentionSnapshots.EventLeak(sessions: 50, cached: 200));

        var (code, stdout, stderr) = await ToolProcess.RunAsync(s_timeout, "snapshot", "--from", file);
        Assert.True(code == 0, stderr);
        var lines = Lines(stdout);
        Assert.Contains(lines, l => l.Contains("Retained", StringComparison.Ordinal) && l.Contains("Held by", StringComparison.Ordinal));
        // EventHandler keeps the whole chain alive, then the Object[], then the Sessions with their Byte[]s.
        int handler = LineOf(lines, "System.EventHandler"), array = LineOf(lines, "System.Object[]"), session = LineOf(lines, "App.Session"), bytes = LineOf(lines, "System.Byte[]");
        Assert.True(handler >= 0 && handler < array && array < session && session < bytes, stdout);
        Assert.Contains("static Hub.Changed → EventHandler → Object[]", lines[session], StringComparison.Ordinal);
        Assert.Contains("52.3 KiB", lines[session], StringComparison.Ordinal); // 50 × (48 + 1,024) retained
        Assert.Contains("sorted by retained bytes", stdout, StringComparison.Ordinal);
        Assert.Contains("Retention: 1 objects (100 B) reached from no root the walk reported.", stdout, StringComparison.Ordinal);

        var byCount = await ToolProcess.RunAsync(s_timeout, "snapshot", "--from", file, "--sort", "count");
        Assert.True(byCount.ExitCode == 0, byCount.Stderr);
        var countLines = Lines(byCount.Stdout);
        Assert.True(LineOf(countLines, "System.String") < LineOf(countLines, "System.Byte[]"), byCount.Stdout); // 200 strings, 51 byte arrays

        var byBytes = await ToolProcess.RunAsync(s_timeout, "snapshot", "--from", file, "--sort", "bytes", "--json");
        Assert.True(byBytes.ExitCode == 0, byBytes.Stderr);
        using var doc = JsonDocument.Parse(byBytes.Stdout);
        Assert.Equal("bytes", doc.RootElement.GetProperty("sort").GetString());
        Assert.Equal(1, doc.RootElement.GetProperty("retention").GetProperty("unrooted_objects").GetInt64());
        var top = doc.RootElement.GetProperty("top");
        Assert.Equal("System.Byte[]", top[0].GetProperty("name").GetString());
        var sessionRow = top.EnumerateArray().Single(t => t.GetProperty("name").GetString() == "App.Session");
        Assert.Equal(50 * (48 + 1024), sessionRow.GetProperty("retained_bytes").GetInt64());
        Assert.Equal("static Hub.Changed → System.EventHandler → System.Object[]", sessionRow.GetProperty("held_by").GetString());
    }

    [Fact]
    public async Task Snapshot_from_a_histogram_only_file_prints_todays_table_and_says_why_it_cannot_sort_by_retained()
    {
        var histogram = new HeapSnapshot(4242, "orders-api", 1_700_000_000_000, [new("System.Byte[]", 10, 40_960), new("Shop.Order", 3, 96)]);
        string file = Write("old.json", histogram);

        var (code, stdout, stderr) = await ToolProcess.RunAsync(s_timeout, "snapshot", "--from", file);
        Assert.True(code == 0, stderr);
        Assert.Equal("", stderr);
        Assert.Contains("Share", stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("Retained", stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("sorted by", stdout, StringComparison.Ordinal);

        var retained = await ToolProcess.RunAsync(s_timeout, "snapshot", "--from", file, "--sort", "retained");
        Assert.Equal(0, retained.ExitCode);
        Assert.Equal("memlens: the snapshot has no retention data (taken by an older MemLens or with the object graph off); sorted by bytes", retained.Stderr.Trim());

        var bad = await ToolProcess.RunAsync(s_timeout, "snapshot", "--from", file, "--sort", "size");
        Assert.Equal(2, bad.ExitCode);
        Assert.Single(Lines(bad.Stderr));

        // A diff whose later side is histogram-only has no retained columns, and says why it cannot sort by them.
        string withTree = Write("tree.json", RetentionSnapshots.EventLeak(sessions: 5, cached: 5));
        var diff = await ToolProcess.RunAsync(s_timeout, "diff", withTree, file, "--sort", "retained");
        Assert.Equal(0, diff.ExitCode);
        Assert.Equal($"memlens: {file}: the snapshot has no retention data (taken by an older MemLens or with the object graph off); sorted by bytes added", diff.Stderr.Trim());
        Assert.DoesNotContain("Held by", diff.Stdout, StringComparison.Ordinal);
        Assert.Contains("sorted by bytes added", diff.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Diff_names_the_static_event_holding_the_growth_in_its_first_lines_and_json_carries_held_by_and_retained()
    {
        string a = Write("a.json", RetentionSnapshots.EventLeak(sessions: 10, cached: 200, takenAtMs: 1_700_000_000_000));
        string b = Write("b.json", RetentionSnapshots.EventLeak(sessions: 50, cached: 200, takenAtMs: 1_700_000_060_000));

        var (code, stdout, stderr) = await ToolProcess.RunAsync(s_timeout, "diff", a, b, "--top", "5");
        Assert.True(code == 0, stderr);
        var lines = Lines(stdout);
        int first = lines.FindIndex(l => l.Contains("System.Byte[]", StringComparison.Ordinal));
        Assert.InRange(first, 0, 4); // the header, its rule, then the top grower
        Assert.Contains("+40 KiB", lines[first], StringComparison.Ordinal); // bytes added, and by the holder (the rest of the cell may wrap)
        Assert.True(lines[first].Contains("static Hub.Changed → EventHandler → Object[] → Session", StringComparison.Ordinal), stdout);

        var json = await ToolProcess.RunAsync(s_timeout, "diff", a, b, "--json");
        Assert.True(json.ExitCode == 0, json.Stderr);
        using (var doc = JsonDocument.Parse(json.Stdout))
        {
            var top = doc.RootElement.GetProperty("types")[0];
            Assert.Equal("System.Byte[]", top.GetProperty("name").GetString());
            var heldBy = top.GetProperty("held_by");
            Assert.Equal(SessionPath, heldBy.GetProperty("path").GetString());
            Assert.Equal(40 * 1024, heldBy.GetProperty("bytes_delta").GetInt64());
            Assert.Equal(10, heldBy.GetProperty("count_before").GetInt64());
            Assert.Equal(50, heldBy.GetProperty("count_after").GetInt64());
            Assert.Equal(10 * 1024, top.GetProperty("retained_before").GetInt64());
            Assert.Equal(50 * 1024, top.GetProperty("retained_after").GetInt64());
            Assert.True(doc.RootElement.GetProperty("after").GetProperty("has_retention").GetBoolean());
        }

        // By retained growth the holders come first: the Object[] of the event's subscribers keeps all the new Sessions
        // and their arrays (its own growth breaks the tie with the EventHandler, which retains as much more).
        var byRetained = await ToolProcess.RunAsync(s_timeout, "diff", a, b, "--sort", "retained", "--json");
        Assert.True(byRetained.ExitCode == 0, byRetained.Stderr);
        using (var doc = JsonDocument.Parse(byRetained.Stdout))
        {
            Assert.Equal("retained", doc.RootElement.GetProperty("sort").GetString());
            var top = doc.RootElement.GetProperty("types")[0];
            Assert.Equal("System.Object[]", top.GetProperty("name").GetString());
            Assert.Equal((40 * (48 + 1024)) + (40 * 8), top.GetProperty("retained_delta").GetInt64());
            Assert.Equal("static Hub.Changed → System.EventHandler", top.GetProperty("held_by").GetProperty("path").GetString());
            var second = doc.RootElement.GetProperty("types")[1];
            Assert.Equal("System.EventHandler", second.GetProperty("name").GetString());
            Assert.Equal((40 * (48 + 1024)) + (40 * 8), second.GetProperty("retained_delta").GetInt64());
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void The_streaming_file_diff_gives_the_same_rows_as_the_in_memory_diff(bool byRetained)
    {
        string a = Write("a.json", RetentionSnapshots.EventLeak(sessions: 10, cached: 300, maxNodes: 6));
        string b = Write("b.json", RetentionSnapshots.EventLeak(sessions: 70, cached: 100));
        string old = Write("old.json", new HeapSnapshot(1, "p", 0, [new("System.Byte[]", 3, 3000), new("App.Session", 3, 144), new("Gone", 1, 8)]));

        foreach (var (x, y) in new[] { (a, b), (b, a), (old, b), (b, old) })
        {
            var streamed = FileDiff.Compute(x, y, top: 100, byRetained);
            var inMemory = SnapshotDiff.Compute(SnapshotFile.Read(x), SnapshotFile.Read(y), byRetained);
            Assert.Equal(inMemory.Rows, streamed.Top);
            Assert.Equal(inMemory.Rows.Count, streamed.RowCount);
        }
    }

    [Fact]
    public async Task Paths_lists_each_path_root_first_with_objects_bytes_and_retained_largest_first()
    {
        var snapshot = RetentionSnapshots.EventLeak(sessions: 50, cached: 200);
        string file = Write("leak.json", snapshot);

        var (code, stdout, stderr) = await ToolProcess.RunAsync(s_timeout, "paths", file, "App.Session");
        Assert.True(code == 0, stderr);
        var row = Assert.Single(Lines(stdout), l => l.Contains(SessionPath, StringComparison.Ordinal));
        Assert.Contains(" 50 ", row, StringComparison.Ordinal);
        Assert.Contains("2.34 KiB", row, StringComparison.Ordinal); // 50 × 48 B
        Assert.Contains("52.3 KiB", row, StringComparison.Ordinal);
        Assert.True(stdout.Contains("1 path to App.Session; 50 objects, 2.34 KiB in the snapshot, retaining 52.3 KiB", StringComparison.Ordinal), stdout);

        // Byte[] has two paths: under the Sessions, and unrooted; --top 1 keeps the larger.
        var json = await ToolProcess.RunAsync(s_timeout, "paths", file, "Byte[]", "--json", "--top", "1");
        Assert.True(json.ExitCode == 0, json.Stderr);
        using var doc = JsonDocument.Parse(json.Stdout);
        Assert.Equal("System.Byte[]", doc.RootElement.GetProperty("type").GetString());
        Assert.Equal(2, doc.RootElement.GetProperty("path_count").GetInt32());
        var path = Assert.Single(doc.RootElement.GetProperty("paths").EnumerateArray());
        Assert.Equal([.. SessionPath.Split(" → "), "System.Byte[]"], path.GetProperty("path").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(50, path.GetProperty("objects").GetInt64());
        Assert.Equal(50 * 1024, path.GetProperty("bytes").GetInt64());
        Assert.Equal(50 * 1024, path.GetProperty("retained_bytes").GetInt64());
    }

    [Fact]
    public async Task Paths_with_an_ambiguous_unknown_or_unanalysed_type_gives_one_line_and_its_exit_code()
    {
        string file = Write("leak.json", RetentionSnapshots.EventLeak(sessions: 5, cached: 5));

        var ambiguous = await ToolProcess.RunAsync(s_timeout, "paths", file, "Session");
        Assert.Equal(2, ambiguous.ExitCode);
        Assert.Equal("memlens: 'Session' matches 2 types: App.Session, Other.Session; give the full name", ambiguous.Stderr.Trim());
        Assert.Equal("", ambiguous.Stdout);

        var none = await ToolProcess.RunAsync(s_timeout, "paths", file, "session");
        Assert.Equal(1, none.ExitCode);
        Assert.Equal($"memlens: {file}: no type named 'session' (give the full name or the part after a '.')", none.Stderr.Trim());

        string old = Write("old.json", new HeapSnapshot(1, "p", 0, [new("App.Session", 3, 144)]));
        var noRetention = await ToolProcess.RunAsync(s_timeout, "paths", old, "App.Session");
        Assert.Equal(1, noRetention.ExitCode);
        Assert.Equal($"memlens: {old}: the snapshot has no retention data (taken by an older MemLens or with the object graph off); take a new snapshot to see paths", noRetention.Stderr.Trim());

        // Twelve types end with ".X": ten are named, and how many more.
        var many = Enumerable.Range(0, 12).Select(i => new TypeStat($"N{i:D2}.X", 1, 8)).ToList();
        var retention = new HeapRetention([new RetentionNode(-1, RetentionNodeKind.Root, "stack", 1, 0, 0)], new Dictionary<string, long>());
        string manyFile = Write("many.json", new HeapSnapshot(1, "p", 0, many) { Retention = retention });
        var tooMany = await ToolProcess.RunAsync(s_timeout, "paths", manyFile, "X");
        Assert.Equal(2, tooMany.ExitCode);
        Assert.Equal("memlens: 'X' matches 12 types: N00.X, N01.X, N02.X, N03.X, N04.X, N05.X, N06.X, N07.X, N08.X, N09.X, and 2 more; give the full name", tooMany.Stderr.Trim());

        var damaged = Path.Combine(_dir, "damaged.json");
        await File.WriteAllTextAsync(damaged, (await File.ReadAllTextAsync(file)).Replace("\"parent\": 0,", "\"parent\": 7,", StringComparison.Ordinal));
        var corrupt = await ToolProcess.RunAsync(s_timeout, "paths", damaged, "App.Session");
        Assert.Equal(1, corrupt.ExitCode);
        Assert.Equal($"memlens: {damaged}: corrupt MemLens snapshot: retention node 1: \"parent\" 7 is not -1 or an earlier node", corrupt.Stderr.Trim());
    }

    [Fact]
    public async Task Control_characters_in_a_root_name_are_shown_escaped_by_snapshot_diff_and_paths()
    {
        string clean = Write("clean.json", RetentionSnapshots.EventLeak(sessions: 5, cached: 5));
        string hostile = Path.Combine(_dir, "hostile.json");
        await File.WriteAllTextAsync(hostile, (await File.ReadAllTextAsync(clean, Encoding.UTF8))
            .Replace("\"static Hub.Changed\"", "\"static Hub.\\u001b[2JChanged\"", StringComparison.Ordinal), Encoding.UTF8);

        foreach (var args in new[] { new[] { "snapshot", "--from", hostile }, ["diff", clean, hostile], ["paths", hostile, "App.Session"] })
        {
            var (code, stdout, stderr) = await ToolProcess.RunAsync(s_timeout, args);
            Assert.True(code == 0, stderr);
            Assert.DoesNotContain('\u001b', stdout);
            Assert.Contains("static Hub.\\x1b[2JChanged", stdout, StringComparison.Ordinal);
        }
    }
}
