using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using MemLens.Procfs;

namespace MemLens.Benchmarks;

/// <summary>
/// smaps_rollup read + parse for a small process (a `sleep` child) and a large one (this process after
/// allocating and touching 600 MiB): the kernel walks every page table entry, so the cost grows with
/// resident memory. These figures are what <see cref="SmapsRollupSource"/>'s adaptive interval is for.
/// </summary>
[MemoryDiagnoser]
public class SmapsRollupBenchmarks
{
    private const int LargeMiB = 600;
    private Process? _child;
    private byte[][]? _ballast;
    private SmapsRollupSource _source = null!;
    private readonly DiscardingWriter _writer = new();

    [Params("sleep-child", "self-600MiB")]
    public string Target { get; set; } = "";

    [GlobalSetup]
    public void Setup()
    {
        int pid;
        if (Target == "sleep-child")
        {
            _child = Process.Start(new ProcessStartInfo("sleep", "600") { UseShellExecute = false })!;
            pid = _child.Id;
        }
        else
        {
            // 1 MiB arrays, every page written, kept alive for the whole run.
            _ballast = new byte[LargeMiB][];
            for (int i = 0; i < LargeMiB; i++)
            {
                _ballast[i] = GC.AllocateUninitializedArray<byte>(1 << 20, pinned: true);
                for (int j = 0; j < _ballast[i].Length; j += 4096)
                {
                    _ballast[i][j] = 1;
                }
            }

            pid = Environment.ProcessId;
        }

        _source = new SmapsRollupSource(pid);
        _source.Sample(_writer);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _source.Dispose();
        if (_child is not null)
        {
            _child.Kill();
            _child.WaitForExit();
            _child.Dispose();
        }

        GC.KeepAlive(_ballast);
    }

    [Benchmark]
    public double SmapsRollupSample()
    {
        _source.Sample(_writer);
        return _writer.Sink;
    }

    /// <summary>The interval the source chose from its measured cost (for the report: cost × 1000, at least 1 s).</summary>
    public TimeSpan ChosenInterval => _source.Interval;
}
