using System.Globalization;
using System.Text.RegularExpressions;
using MemLens.Diagnostics.Snapshots;
using MemLens.Tests.Shared.Snapshots;
using Xunit;

namespace MemLens.EndToEnd.Tests.Snapshots;

/// <summary>
/// The retention export as Go's own pprof reads it: `-top` still lists each type with the histogram's figures, and
/// `-traces` shows each stack as the retention path from the static event to the leaked type.
/// </summary>
public sealed partial class PprofRetentionGoToolTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("memlens-pprof-retention-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData(20_000)]
    [InlineData(3)] // most paths left out: their objects come under [paths not kept]
    public async Task Go_tool_pprof_top_gives_each_type_the_histograms_count_and_bytes(int maxNodes)
    {
        var snapshot = RetentionSnapshots.EventLeak(sessions: 40, cached: 25, maxNodes: maxNodes);
        string file = Path.Combine(_dir, "heap.pb.gz");
        PprofExport.Write(file, snapshot);

        foreach (var (index, expected) in new[] { ("inuse_space", snapshot.Types.ToDictionary(t => t.Name, t => t.Bytes)), ("inuse_objects", snapshot.Types.ToDictionary(t => t.Name, t => t.Count)) })
        {
            var (code, stdout, stderr) = await ToolProcess.RunProgramAsync("go", "tool", "pprof", "-top", "-sample_index=" + index, "-unit=B", "-nodefraction=0", "-nodecount=10000", file);
            Assert.True(code == 0, stderr);
            var flat = TopLine().Matches(stdout).ToDictionary(m => m.Groups[2].Value.Trim(), m => long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture));
            foreach (var (name, value) in expected)
            {
                Assert.True(flat.TryGetValue(name, out long seen) && seen == value, $"{index} {name}: expected {value}\n{stdout}");
            }
        }
    }

    [Fact]
    public async Task Go_tool_pprof_traces_show_the_chain_from_the_static_event_to_the_leaked_type()
    {
        var snapshot = RetentionSnapshots.EventLeak(sessions: 40, cached: 25);
        string file = Path.Combine(_dir, "heap.pb.gz");
        PprofExport.Write(file, snapshot);

        var (code, stdout, stderr) = await ToolProcess.RunProgramAsync("go", "tool", "pprof", "-traces", file);
        Assert.True(code == 0, stderr);
        // Each trace is a block of frames, leaf first; the Sessions' trace is the event's chain.
        var traces = stdout.Split("-----------+-------------------------------------------------------")
            .Select(b => b.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0).Select(l => TraceValue().Replace(l, "")).ToList())
            .ToList();
        Assert.Contains(traces, t => t.SequenceEqual(["App.Session", "System.Object[]", "System.EventHandler", "static Hub.Changed"]));
        Assert.Contains(traces, t => t.SequenceEqual(["System.Byte[]", "App.Session", "System.Object[]", "System.EventHandler", "static Hub.Changed"]));
    }

    // "     51200B 86.41% 86.41%     51200B 86.41%  System.Byte[]" or, for counts, "        51 …": flat value, name.
    [GeneratedRegex(@"^\s*(\d+)B?\s+[\d.]+%\s+[\d.]+%\s+\d+B?\s+[\d.]+%\s+(.+)$", RegexOptions.Multiline)]
    private static partial Regex TopLine();

    // A trace's first frame comes after its value ("    40.96kB   System.Byte[]").
    [GeneratedRegex(@"^[\d.]+[kMG]?B?\s+")]
    private static partial Regex TraceValue();
}
