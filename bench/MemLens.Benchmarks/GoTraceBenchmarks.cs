using BenchmarkDotNet.Attributes;
using MemLens.Go;

namespace MemLens.Benchmarks;

/// <summary>
/// Parse throughput of the Go trace parsers: one gc line (Go 1.19, the longest format), one scav line, one line of
/// program output (the classifier's fast path), and the whole real Go 1.19 capture (580 lines: gc, scav and
/// other lines as a program prints them). Lines per second = lines / mean time.
/// </summary>
[MemoryDiagnoser]
public class GoTraceBenchmarks
{
    private const string Gc = "gc 275 @1.993s 3%: 0.008+0.81+0.039 ms clock, 0.017+0.27/0.031/0+0.078 ms cpu, 52->58->58 MB, 59 MB goal, 0 MB stacks, 0 MB globals, 2 P";
    private const string Scav = "scav 9416 KiB work, 117288 KiB total, 88% util";
    private const string Other = "2026/11/22 10:00:01 GET /api/orders 200 1.2ms";
    private string[] _capture = [];

    [GlobalSetup]
    public void Setup() => _capture = File.ReadAllLines(FindFixture());

    [Benchmark]
    public GoTraceLineKind GcLine() => GoTraceLine.Parse(Gc).Kind;

    [Benchmark]
    public GoTraceLineKind ScavLine() => GoTraceLine.Parse(Scav).Kind;

    [Benchmark]
    public GoTraceLineKind OtherLine() => GoTraceLine.Parse(Other).Kind;

    /// <summary>The Go 1.19 capture, 580 lines, classified and parsed.</summary>
    [Benchmark]
    public int Capture()
    {
        int traceLines = 0;
        foreach (string line in _capture)
        {
            if (GoTraceLine.Parse(line).Kind is GoTraceLineKind.Gc or GoTraceLineKind.Scavenge)
            {
                traceLines++;
            }
        }

        return traceLines;
    }

    private static string FindFixture()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "tests", "MemLens.Tests", "Fixtures", "go", "go1.19.gctrace.txt");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException("tests/MemLens.Tests/Fixtures/go/go1.19.gctrace.txt not found above " + AppContext.BaseDirectory);
    }
}
