using System.Globalization;
using System.Text.RegularExpressions;
using MemLens.Pprof;
using Xunit;

namespace MemLens.EndToEnd.Tests.Go;

/// <summary>
/// PprofFile reads the heap profile that a real Go program (samples/go/memstats) serves on /debug/pprof/heap:
/// every sample's values equal what Go's own `go tool pprof -raw` prints for the same bytes, and the program's
/// known allocation — 64 MiB kept live in 64 KiB blocks made in main.main — is found under its function and file.
/// </summary>
public sealed partial class GoHeapProfileReadTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("memlens-goheap-").FullName;

    [Fact]
    public async Task A_go_heap_profile_reads_with_Gos_sample_values_and_the_programs_allocation_under_main_main()
    {
        await using var go = await MemStatsProgram.StartAsync("-alloc", "64");
        string file = Path.Combine(_dir, "heap.pb.gz");
        using (var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) })
        {
            // gc=1: the profile is as of the last completed GC, so one is forced after the allocation.
            await File.WriteAllBytesAsync(file, await http.GetByteArrayAsync(new Uri(go.Url + "/debug/pprof/heap?gc=1")));
        }

        var p = PprofFile.Read(file);
        string S(long i) => p.StringTable[(int)i];

        Assert.Equal(
            ["alloc_objects/count", "alloc_space/bytes", "inuse_objects/count", "inuse_space/bytes"],
            p.SampleType.Select(t => $"{S(t.Type)}/{S(t.Unit)}"));
        Assert.Equal("space/bytes", $"{S(p.PeriodType.Type)}/{S(p.PeriodType.Unit)}");
        Assert.Equal(512 * 1024, p.Period); // Go's default runtime.MemProfileRate

        // Independent reference: Go's own decoder of the same file, one "a b c d: locations" line per sample.
        var raw = await ToolProcess.RunProgramAsync("go", "tool", "pprof", "-raw", file);
        Assert.True(raw.ExitCode == 0, raw.Stderr);
        var goValues = RawSampleLine().Matches(raw.Stdout)
            .Select(m => string.Join(' ', Enumerable.Range(1, 4).Select(g => m.Groups[g].Value))).Order().ToArray();
        Assert.NotEmpty(goValues);
        Assert.Equal(goValues, p.Sample.Select(s => string.Join(' ', s.Value.Select(v => v.ToString(CultureInfo.InvariantCulture)))).Order());

        var functions = p.Function.ToDictionary(f => f.Id);
        var locations = p.Location.ToDictionary(l => l.Id);
        // The innermost frame: the first location, and its first line (later lines are the callers it was inlined into).
        Function Leaf(Sample s) => functions[locations[s.LocationId[0]].Line[0].FunctionId];
        var blocks = Assert.Single(p.Sample, s => S(Leaf(s).Name) == "main.main" && s.Label.Any(l => S(l.Key) == "bytes" && l.Num == 64 << 10));
        Assert.EndsWith("samples/go/memstats/main.go", S(Leaf(blocks).Filename), StringComparison.Ordinal);

        // Go scales count and bytes by the same sampling factor: 64 KiB per object, up to its integer rounding.
        long inuseObjects = blocks.Value[2], inuseSpace = blocks.Value[3];
        Assert.InRange(inuseSpace / (double)inuseObjects, 65536 * 0.99, 65536 * 1.01);
        // ~120 of the 1024 blocks are sampled at 512 KiB: the estimate is within a few standard deviations (~9 %).
        Assert.InRange(inuseSpace, (long)(0.65 * (64 << 20)), (long)(1.35 * (64 << 20)));
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [GeneratedRegex(@"^\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+):", RegexOptions.Multiline)]
    private static partial Regex RawSampleLine();
}
