using BenchmarkDotNet.Attributes;
using MemLens.Metrics;
using MemLens.Storage;
using MemLens.Tests.Storage;

namespace MemLens.Benchmarks;

/// <summary>
/// The store's hot paths on realistic data (see RealisticData): appending one value in steady state
/// (budget full, so sealing and evicting are included, amortised) and range queries as the dashboard
/// makes them.
/// </summary>
[MemoryDiagnoser]
public class StoreBenchmarks
{
    private const int Day = 86_400;
    private const int Rounds = 1000;

    private readonly MetricDescriptor[] _metrics = RealisticData.Metrics;
    private MetricStore _appendStore = null!;
    private double[] _values = null!;      // one hour of pre-generated rounds, so generation is not measured
    private int[] _jitter = null!;
    private long _nextTimestamp;
    private int _round;

    private MetricStore _day = null!;
    private long _dayFirst;
    private long _dayLast;
    private MetricStore _threeDays = null!;
    private long _threeDaysFirst;
    private long _threeDaysLast;

    [GlobalSetup]
    public void Setup()
    {
        // Steady state: two days in, so the budget is reached and every seal may evict.
        var data = new RealisticData(seed: 1);
        _appendStore = new MetricStore();
        data.Fill(_appendStore.Append, 2 * Day);
        _nextTimestamp = data.TimestampMs + 1000;
        _values = new double[3600 * _metrics.Length];
        _jitter = new int[3600];
        for (int r = 0; r < 3600; r++)
        {
            _jitter[r] = (int)((data.Next() - data.TimestampMs) + ((r * 7) % 7) - 3);
            data.Values.CopyTo(_values.AsSpan(r * _metrics.Length));
        }

        (_day, _dayFirst, _dayLast) = Filled(Day, seed: 2);
        (_threeDays, _threeDaysFirst, _threeDaysLast) = Filled(3 * Day, seed: 3);
    }

    private static (MetricStore, long, long) Filled(int seconds, int seed)
    {
        var data = new RealisticData(seed);
        var store = new MetricStore();
        data.Fill(store.Append, 1);
        long first = data.TimestampMs;
        data.Fill(store.Append, seconds - 1);
        store.TryGetFirst(MetricCatalog.ProcessRss, out long held, out _);
        return (store, Math.Max(first, held), data.TimestampMs);
    }

    /// <summary>One value appended to one of 30 series, per operation.</summary>
    [Benchmark(OperationsPerInvoke = Rounds * 30)]
    public void Append()
    {
        var metrics = _metrics;
        for (int i = 0; i < Rounds; i++)
        {
            int r = _round;
            _round = r == 3599 ? 0 : r + 1;
            long t = _nextTimestamp + _jitter[r];
            _nextTimestamp += 1000;
            int offset = r * metrics.Length;
            for (int m = 0; m < metrics.Length; m++)
            {
                _appendStore.Append(metrics[m], t, _values[offset + m]);
            }
        }
    }

    /// <summary>The dashboard's 24 h chart of one series: 86,400 raw points → 1,000 buckets.</summary>
    [Benchmark]
    public SeriesData Query24hTo1000Points() => _day.Query(MetricCatalog.ProcessRss, _dayFirst, _dayLast, 1000);

    /// <summary>The live view: the last 5 minutes, returned as raw points.</summary>
    [Benchmark]
    public SeriesData QueryLast5MinutesRaw() => _day.Query(MetricCatalog.ProcessRss, _dayLast - 299_999, _dayLast, 1000);

    /// <summary>72 h → 1,000 buckets across hour, minute and raw tiers.</summary>
    [Benchmark]
    public SeriesData Query72hAcrossTiersTo1000Points() => _threeDays.Query(MetricCatalog.ProcessRss, _threeDaysFirst, _threeDaysLast, 1000);

    [Benchmark]
    public bool TryGetLatest() => _day.TryGetLatest(MetricCatalog.ProcessRss, out _, out _);
}
