using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using MemLens.Tests.Shared.Snapshots;
using Xunit;
using Xunit.Abstractions;

namespace MemLens.EndToEnd.Tests.Snapshots;

/// <summary>
/// Who holds a real leak, end to end: a process leaks through a static event or a static cache between two
/// <c>memlens snapshot</c>s; <c>memlens diff</c> names the static field within its first lines, <c>memlens paths</c> lists
/// the path, and <c>go tool pprof -traces</c> on the second snapshot's export shows the chain from that field to the
/// leaked payloads.
/// </summary>
public sealed partial class LeakHolderTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("memlens-leak-holder-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData("event", "static Hub.Changed", "Session")]
    [InlineData("cache", "static Catalog.Cache", "Entry")]
    public async Task Diff_paths_and_pprof_name_the_static_field_that_holds_the_growth(string leak, string field, string holder)
    {
        // Both structures hold 200 payloads at first; then one of them gets 300 more (6 MB).
        await using var target = await RetentionTargetProcess.StartAsync(200, 20_000);
        string pid = target.Pid.ToString(CultureInfo.InvariantCulture);
        string before = Path.Combine(_dir, "before.json"), after = Path.Combine(_dir, "after.json"), profile = Path.Combine(_dir, "after.pb.gz");
        await RunToolAsync("snapshot", pid, "-o", before);
        await target.GrowAsync(leak, 300);
        await RunToolAsync("snapshot", pid, "-o", after, "--pprof", profile);

        string diff = await RunToolAsync("diff", before, after);
        var firstLines = diff.Split('\n').Take(8).ToList();
        Assert.Contains(firstLines, l => l.Contains("System.Byte[]", StringComparison.Ordinal) && l.Contains(field, StringComparison.Ordinal));

        string paths = await RunToolAsync("paths", after, holder);
        Assert.Contains(field, paths.Split('\n').Take(6).First(l => l.Contains('→', StringComparison.Ordinal)), StringComparison.Ordinal);

        // Each -traces block is one stack, leaf first: the payloads' stack ends at the field and passes the holder type.
        var (code, traces, stderr) = await ToolProcess.RunProgramAsync("go", "tool", "pprof", "-traces", profile);
        Assert.True(code == 0, stderr);
        var stacks = traces.Split("-----------+-------------------------------------------------------")
            .Select(b => b.Split('\n').Select(l => TraceValue().Replace(l.Trim(), "")).Where(l => l.Length > 0).ToList())
            .ToList();
        Assert.Contains(stacks, s => s.Count >= 3 && s[0] == "System.Byte[]" && s[1] == holder && s[^1] == field);
    }

    [Fact]
    public async Task No_graph_gives_a_histogram_only_and_no_static_names_leaves_the_field_unnamed()
    {
        await using var target = await RetentionTargetProcess.StartAsync(100, 20_000);
        string pid = target.Pid.ToString(CultureInfo.InvariantCulture);

        using (var histogram = JsonDocument.Parse(await RunToolAsync("snapshot", pid, "-o", Path.Combine(_dir, "h.json"), "--no-graph", "--json", "--top", "1000")))
        {
            Assert.Equal(JsonValueKind.Null, histogram.RootElement.GetProperty("retention").ValueKind);
            Assert.Contains(histogram.RootElement.GetProperty("top").EnumerateArray(), t => t.GetProperty("name").GetString() == "Session" && t.GetProperty("count").GetInt64() == 100);
        }

        using var unnamed = JsonDocument.Parse(await RunToolAsync("snapshot", pid, "-o", Path.Combine(_dir, "u.json"), "--no-static-names", "--json", "--top", "1000"));
        var session = unnamed.RootElement.GetProperty("top").EnumerateArray().Single(t => t.GetProperty("name").GetString() == "Session");
        string heldBy = session.GetProperty("held_by").GetString()!;
        // Without the process's own names the event is the runtime's pinned statics array, or the walk's own name for
        // the static ("static Changed: System.EventHandler", which lacks the declaring type): never Hub.Changed.
        Assert.DoesNotContain("Hub.Changed", heldBy, StringComparison.Ordinal);

        var (code, stdout, stderr) = await ToolProcess.RunAsync(TimeSpan.FromMinutes(1), "snapshot", "--from", Path.Combine(_dir, "u.json"), "--no-graph");
        Assert.Equal(2, code);
        Assert.Equal("", stdout);
        Assert.Single(stderr.TrimEnd('\n').Split('\n'));
        Assert.Contains("--no-graph and --no-static-names apply to taking a snapshot", stderr, StringComparison.Ordinal);
    }

    private async Task<string> RunToolAsync(params string[] args)
    {
        var (code, stdout, stderr) = await ToolProcess.RunAsync(TimeSpan.FromMinutes(2), args);
        output.WriteLine($"$ memlens {string.Join(' ', args)}\n{stdout}{stderr}");
        Assert.True(code == 0, $"memlens {args[0]} exited with {code}: {stderr}");
        return stdout;
    }

    // A trace line's leading value ("    10.21MB   "), before the frame name.
    [GeneratedRegex(@"^\s*[\d.]+[kMG]?B?\s+")]
    private static partial Regex TraceValue();
}
