using System.Text.RegularExpressions;
using MemLens.Diagnostics.Snapshots;
using MemLens.Snapshots;
using Xunit;

namespace MemLens.EndToEnd.Tests.Snapshots;

/// <summary>
/// The exported profile as Go's own decoder reads it (`go tool pprof -raw`): the comment, the sample types, and
/// per type its count and bytes under a location named after it.
/// </summary>
public sealed partial class PprofExportGoToolTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("memlens-pprof-go-").FullName;

    [Fact]
    public async Task Go_tool_pprof_reads_every_type_with_its_count_and_bytes_and_the_truncation_note()
    {
        TypeStat[] types = [new("System.Byte[]", 10, 40_960), new("Shop.Order", 3, 96), new("System.Collections.Generic.List`1[[Shop.Order, Shop]]", 1, 32)];
        var snapshot = new HeapSnapshot(4242, "orders-api", 1_700_000_000_000, types)
        {
            GcIndex = 9,
            Truncated = true,
            Note = "stopped at the object limit",
        };
        string file = Path.Combine(_dir, "heap.pb.gz");
        PprofExport.Write(file, snapshot);

        var (code, raw, stderr) = await ToolProcess.RunProgramAsync("go", "tool", "pprof", "-raw", file);
        Assert.True(code == 0, stderr);

        Assert.Contains("Comment: MemLens heap snapshot of process 4242 (orders-api), GC 9, truncated: stopped at the object limit\n", raw, StringComparison.Ordinal);
        Assert.Contains("inuse_objects/count inuse_space/bytes[dflt]\n", raw, StringComparison.Ordinal);
        var locations = LocationLine().Matches(raw).ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value);
        var samples = SampleLine().Matches(raw).Select(m => (Name: locations[m.Groups[3].Value], Count: long.Parse(m.Groups[1].Value), Bytes: long.Parse(m.Groups[2].Value)));
        Assert.Equal(types.Select(t => (t.Name, t.Count, t.Bytes)).Order(), samples.Order());
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    // "      10      40960: 1 " : count, bytes, the one location id.
    [GeneratedRegex(@"^\s+(\d+)\s+(\d+): (\d+) $", RegexOptions.Multiline)]
    private static partial Regex SampleLine();

    // "     1: 0x0 M=1 System.Byte[] :0 s=0" : location id, function name.
    [GeneratedRegex(@"^\s+(\d+): 0x0 M=\d+ (.+) :0 s=0$", RegexOptions.Multiline)]
    private static partial Regex LocationLine();
}
