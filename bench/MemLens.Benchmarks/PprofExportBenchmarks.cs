using BenchmarkDotNet.Attributes;
using MemLens.Diagnostics.Snapshots;
using MemLens.Snapshots;

namespace MemLens.Benchmarks;

/// <summary>
/// <c>memlens snapshot --pprof</c>'s export of a heap snapshot with many types (gzip included, as written to the
/// file): 20,000 distinct types is past what large services hold, so the export's cost is bounded by this.
/// </summary>
[MemoryDiagnoser]
public class PprofExportBenchmarks
{
    private HeapSnapshot _snapshot = null!;
    private MemoryStream _output = null!;

    [Params(20_000)]
    public int Types { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _snapshot = new HeapSnapshot(4242, "orders-api", 1_700_000_000_000,
            Enumerable.Range(0, Types).Select(i => new TypeStat($"Shop.Orders.Generic`1[[Shop.Orders.Line{i}, Shop]]", i + 1, (i + 1) * 72L)));
        _output = new MemoryStream(4 << 20);
    }

    /// <summary>Bytes of the gzip-compressed profile.</summary>
    [Benchmark]
    public long WritePprof()
    {
        _output.SetLength(0);
        PprofExport.Write(_output, _snapshot);
        return _output.Length;
    }
}
