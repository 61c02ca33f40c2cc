using BenchmarkDotNet.Attributes;
using MemLens.Procfs;

namespace MemLens.Benchmarks;

/// <summary>
/// What <see cref="ArenaSource"/> costs every 10 s: one read of this process's /proc/self/maps and the arena parse,
/// against the bare read of the same file (the floor: the kernel formats every mapping either way).
/// </summary>
[MemoryDiagnoser]
public class ArenaBenchmarks
{
    private ArenaSource _source = null!;
    private ProcFile _maps = null!;
    private readonly DiscardingWriter _writer = new();

    [GlobalSetup]
    public void Setup()
    {
        _source = new ArenaSource(Environment.ProcessId);
        _source.Sample(_writer);
        _maps = ProcFile.OpenForProcess("/proc", Environment.ProcessId, "maps", initialBytes: 64 * 1024, maxBytes: 16 << 20);
        Console.WriteLine($"// maps: {_source.Last.Lines} lines, {_maps.ReadToEnd().Length} bytes, {_source.Last.Count} arenas");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _source.Dispose();
        _maps.Dispose();
    }

    /// <summary>The floor: read maps to its end, no parsing.</summary>
    [Benchmark(Baseline = true)]
    public int BareMapsRead() => _maps.ReadToEnd().Length;

    /// <summary>One arena sample: the read, the parse of every line, two values written.</summary>
    [Benchmark]
    public double ArenaSourceSample()
    {
        _source.Sample(_writer);
        return _writer.Sink;
    }
}
