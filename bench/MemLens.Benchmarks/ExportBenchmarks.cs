using System.Buffers;
using BenchmarkDotNet.Attributes;
using MemLens.Exporting;
using MemLens.Metrics;
using MemLens.Storage;

namespace MemLens.Benchmarks;

/// <summary>
/// One Prometheus scrape of a .NET process: the text exposition of the ~40 series an attached or in-process .NET
/// target has (process, container and GC figures), written into a reused buffer, as the endpoint writes into the
/// response's pipe.
/// </summary>
[MemoryDiagnoser]
public class ExportBenchmarks
{
    private readonly MetricStore _store = new();
    private readonly PrometheusExposition _exposition = new(new ExportedProcess(4242, "orders-api", "dotnet"));
    private readonly ArrayBufferWriter<byte> _buffer = new(128 * 1024);

    [GlobalSetup]
    public void Setup()
    {
        foreach (var metric in MetricCatalog.All.Where(m => m.Group is "process" or "container" or "dotnet.gc"))
        {
            _store.Append(metric, 1_000, 123_456_789 + metric.Id * 4096.0);
        }
    }

    /// <summary>Bytes one scrape returns (printed by the run in the "Result" column's place as the return value).</summary>
    [Benchmark]
    public int PrometheusScrape()
    {
        _buffer.Clear();
        _exposition.Write(_buffer, _store);
        return _buffer.WrittenCount;
    }
}
