using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using MemLens.Procfs;
using MemLens.Runtime;

namespace MemLens.Benchmarks;

/// <summary>
/// One procfs sample (status + statm, parsed, written) against its floor (the same two re-reads with
/// no parsing) and against the System.Diagnostics.Process route, all on this process, in one run so
/// the ratios are measured under the same conditions.
/// </summary>
[MemoryDiagnoser]
public class ProcfsBenchmarks
{
    private ProcfsSource _source = null!;
    private DotNetGcSource _gc = null!;
    private ProcFile _status = null!;
    private ProcFile _statm = null!;
    private Process _process = null!;
    private readonly DiscardingWriter _writer = new();

    [GlobalSetup]
    public void Setup()
    {
        int pid = Environment.ProcessId;
        _source = new ProcfsSource(pid);
        _gc = new DotNetGcSource();
        _gc.Sample(_writer); // baseline: later samples see no new GC, as in steady state
        _status = ProcFile.OpenForProcess("/proc", pid, "status", initialBytes: 2048);
        _statm = ProcFile.OpenForProcess("/proc", pid, "statm", initialBytes: 256);
        _process = Process.GetCurrentProcess();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _source.Dispose();
        _gc.Dispose();
        _status.Dispose();
        _statm.Dispose();
        _process.Dispose();
    }

    /// <summary>The floor: re-read status and statm from offset 0, no parsing.</summary>
    [Benchmark(Baseline = true)]
    public int BareReads() => _status.Read().Length + _statm.Read().Length;

    /// <summary>What the sampler pays each second: both reads, both parses, 12 values written.</summary>
    [Benchmark]
    public double ProcfsSourceSample()
    {
        _source.Sample(_writer);
        return _writer.Sink;
    }

    /// <summary>
    /// The in-process sample of DESIGN.md's budget: statm + status + the GC counters (collection counts,
    /// allocated bytes, pause total, cached gauges; GetGCMemoryInfo only runs when a GC happened).
    /// </summary>
    [Benchmark]
    public double InProcessSample()
    {
        _source.Sample(_writer);
        _gc.Sample(_writer);
        return _writer.Sink;
    }

    /// <summary>The usual .NET way: Refresh() then three memory properties.</summary>
    [Benchmark]
    public long ProcessRefresh()
    {
        _process.Refresh();
        return _process.WorkingSet64 + _process.VirtualMemorySize64 + _process.PrivateMemorySize64;
    }
}
