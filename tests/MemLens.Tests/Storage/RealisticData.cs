using MemLens.Metrics;

namespace MemLens.Tests.Storage;

/// <summary>
/// 30 memory series at 1 Hz as a real sampler sees them, for store tests and benchmarks (the benchmark
/// project links this file). RSS-like series move in 4 KiB pages with occasional jumps, counters only
/// grow, some series stay constant, GC sizes saw-tooth between collections; all share one timestamp per
/// round with ±3 ms of scheduling jitter. Deliberately on the busy side (RSS-like series change in most
/// seconds, GC sizes every second) so the compression figures are not flattering.
/// </summary>
internal sealed class RealisticData
{
    private const double Page = 4096;
    private const double MiB = 1024 * 1024;

    private readonly Random _rng;
    private readonly long _startMs;
    private readonly double[] _values;
    private int _second;
    private int _nextGc;

    public RealisticData(int seed, long startMs = 1_700_000_000_000)
    {
        _rng = new Random(seed);
        _startMs = startMs;
        _values = new double[Metrics.Length];
        for (int i = 0; i < Metrics.Length; i++)
        {
            _values[i] = Initial(Metrics[i]);
        }

        _nextGc = 5;
    }

    /// <summary>The series generated, index-aligned with <see cref="Values"/>.</summary>
    public static MetricDescriptor[] Metrics { get; } =
    [
        MetricCatalog.ProcessRss, MetricCatalog.ProcessVirtual, MetricCatalog.ProcessPss, MetricCatalog.ProcessPssAnon,
        MetricCatalog.ProcessPssFile, MetricCatalog.ProcessUss, MetricCatalog.ProcessShared, MetricCatalog.ProcessAnon,
        MetricCatalog.ProcessFile, MetricCatalog.ProcessSwap, MetricCatalog.ProcessLazyFree, MetricCatalog.ProcessCode,
        MetricCatalog.ProcessData, MetricCatalog.ProcessPageTables, MetricCatalog.ProcessRssPeak, MetricCatalog.ProcessThreads,
        MetricCatalog.ContainerUsage, MetricCatalog.ContainerLimit, MetricCatalog.ContainerAnon, MetricCatalog.ContainerFile,
        MetricCatalog.GcHeapSize, MetricCatalog.GcCommitted, MetricCatalog.GcFragmented, MetricCatalog.GcGen0Size,
        MetricCatalog.GcGen1Size, MetricCatalog.GcGen2Size, MetricCatalog.GcLohSize, MetricCatalog.GcAllocated,
        MetricCatalog.GcCollections, MetricCatalog.GcPauseTime,
    ];

    /// <summary>Values of the current round.</summary>
    public ReadOnlySpan<double> Values => _values;

    /// <summary>Timestamp of the current round: one per second, jittered like a real timer.</summary>
    public long TimestampMs { get; private set; }

    /// <summary>Advances one second and returns its timestamp.</summary>
    public long Next()
    {
        _second++;
        TimestampMs = _startMs + (_second * 1000L) + _rng.Next(-3, 4);
        bool gc = _second >= _nextGc;
        if (gc)
        {
            _nextGc = _second + _rng.Next(5, 30);
        }

        for (int i = 0; i < Metrics.Length; i++)
        {
            _values[i] = Step(Metrics[i], _values[i], gc);
        }

        return TimestampMs;
    }

    /// <summary>Appends <paramref name="seconds"/> rounds of every series.</summary>
    public void Fill(MetricStoreAdapter target, int seconds)
    {
        for (int s = 0; s < seconds; s++)
        {
            long t = Next();
            for (int i = 0; i < Metrics.Length; i++)
            {
                target(Metrics[i], t, _values[i]);
            }
        }
    }

    private static double Initial(MetricDescriptor m) => m.Name switch
    {
        "process.memory.virtual" => 12L * 1024 * MiB,
        "process.memory.swap" or "process.memory.lazyfree" => 0,
        "process.memory.code" => 180 * Page,
        "process.memory.page_tables" => 600 * Page,
        "process.threads" => 24,
        "container.memory.limit" => 2048 * MiB,
        "process.memory.file" or "process.memory.pss.file" or "process.memory.shared" or "container.memory.file" => 40 * MiB,
        "dotnet.gc.loh.size" => 3 * MiB + 1234,
        "dotnet.gc.allocated" => 50 * MiB + 777,
        "dotnet.gc.collections" => 3,
        "dotnet.gc.pause.time" => 0.0042,
        "dotnet.gc.fragmented" => 210_123,
        "dotnet.gc.gen0.size" or "dotnet.gc.gen1.size" => 1_000_000,
        "dotnet.gc.gen2.size" => 20 * MiB + 4321,
        _ => 300 * MiB,
    };

    private double Step(MetricDescriptor m, double v, bool gc) => m.Name switch
    {
        "process.memory.rss" or "process.memory.pss" or "process.memory.pss.anon" or "process.memory.uss"
            or "process.memory.anon" or "container.memory.usage" or "container.memory.anon" => PageWalk(v, 0.7, 32, 0.002),
        "process.memory.data" => PageWalk(v, 0.5, 16, 0.002),
        "process.memory.pss.file" or "process.memory.file" or "container.memory.file" => PageWalk(v, 0.1, 8, 0),
        "process.memory.shared" => PageWalk(v, 0.05, 4, 0),
        "process.memory.lazyfree" => _rng.NextDouble() < 0.01 ? _rng.Next(0, 2000) * Page : v,
        "process.memory.page_tables" => PageWalk(v, 0.02, 1, 0),
        "process.memory.rss.peak" => Math.Max(v, _values[0]),
        "process.memory.virtual" => _rng.NextDouble() < 0.002 ? v + (_rng.Next(-1, 2) * 64 * MiB) : v,
        "process.threads" => _rng.NextDouble() < 0.01 ? Math.Max(8, v + _rng.Next(-2, 3)) : v,
        "dotnet.gc.heap.size" or "dotnet.gc.gen0.size" => gc ? 1_000_000 + _rng.Next(0, 500_000) : v + _rng.Next(100_000, 4_000_000),
        "dotnet.gc.committed" => PageWalk(v, 0.1, 16, 0),
        "dotnet.gc.fragmented" or "dotnet.gc.gen1.size" => gc ? _rng.Next(50_000, 3_000_000) : v,
        "dotnet.gc.gen2.size" => gc ? v + _rng.Next(-200_000, 260_000) : v,
        "dotnet.gc.loh.size" => _rng.NextDouble() < 0.003 ? v + _rng.Next(85_000, 2_000_000) : v,
        "dotnet.gc.allocated" => v + _rng.Next(100_000, 4_000_000),
        "dotnet.gc.collections" => gc ? v + 1 : v,
        "dotnet.gc.pause.time" => gc ? v + (_rng.Next(200, 6000) / 1e6) : v,
        _ => v, // swap, code, limit: constant
    };

    private double PageWalk(double v, double changeProbability, int maxPages, double jumpProbability)
    {
        double r = _rng.NextDouble();
        if (r < jumpProbability)
        {
            return Math.Max(Page, v + (_rng.Next(-64, 65) * MiB));
        }

        if (r < changeProbability)
        {
            return Math.Max(Page, v + (_rng.Next(-maxPages, maxPages + 1) * Page));
        }

        return v;
    }
}

/// <summary>Where generated values go: a store's Append, or a reference.</summary>
internal delegate void MetricStoreAdapter(MetricDescriptor metric, long timestampMs, double value);
