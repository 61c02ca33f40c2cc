using System.Diagnostics;
using System.Globalization;
using MemLens.Storage;
using MemLens.Tests.Storage;

namespace MemLens.Benchmarks;

/// <summary>
/// `--store-memory`: fills stores with 1 Hz data for 30 series and prints what the budget holds, the
/// store's own figure (MemoryBytes) and the managed memory the GC measures for it. Not a BenchmarkDotNet
/// run: it measures space, not time.
/// </summary>
internal static class StoreMemoryReport
{
    private const int Day = 86_400;

    public static void Run()
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $".NET {Environment.Version}, {Environment.ProcessorCount} cores, default budget {new MetricStoreOptions().MemoryBudgetBytes:N0} bytes"));
        Console.WriteLine("| data (30 series, 1 Hz) | MemoryBytes | GC-measured growth | raw bytes/point | full resolution kept | oldest data kept | fill time |");
        Console.WriteLine("|---|---|---|---|---|---|---|");
        Report("realistic, 24 h", s => new RealisticData(42).Fill(s.Append, Day), Day);
        Report("realistic, 72 h", s => new RealisticData(43).Fill(s.Append, 3 * Day), 3 * Day);
        Report("realistic, 7 days", s => new RealisticData(44).Fill(s.Append, 7 * Day), 7 * Day);
        Report("random doubles, 24 h", s => FillRandom(s, Day), Day);
    }

    private static void FillRandom(MetricStore store, int seconds)
    {
        var rng = new Random(5);
        long t = 1_700_000_000_000;
        for (int i = 0; i < seconds; i++)
        {
            t += 1000 + rng.Next(-3, 4);
            foreach (var metric in RealisticData.Metrics)
            {
                store.Append(metric, t, rng.NextDouble() * 1e9);
            }
        }
    }

    private static void Report(string name, Action<MetricStore> fill, int seconds)
    {
        long before = GC.GetTotalMemory(forceFullCollection: true);
        var sw = Stopwatch.StartNew();
        var store = new MetricStore();
        fill(store);
        sw.Stop();
        long after = GC.GetTotalMemory(forceFullCollection: true);

        var infos = RealisticData.Metrics.Select(m => store.GetSeriesInfo(m)!).ToList();
        long newest = infos.Max(i => store.TryGetLatest(i.Metric, out long t, out _) ? t : 0);
        double rawHours = infos.Min(i => (newest - (i.FullResolutionFromMs ?? newest)) / 3_600_000.0);
        long rawPoints = infos.Sum(i => i.RawPoints);
        double oldestHours = infos.Min(i => store.TryGetFirst(i.Metric, out long t, out _) ? (newest - t) / 3_600_000.0 : 0);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {name} | {store.MemoryBytes:N0} | {after - before:N0} ({(double)(after - before) / store.MemoryBytes:P1}) | {(double)infos.Sum(i => i.RawBytes) / rawPoints:F2} | {rawHours:F1} h ({rawPoints / (double)(30L * seconds):P0} of points) | {oldestHours:F1} h | {sw.Elapsed.TotalSeconds:F2} s |"));
        GC.KeepAlive(store);
    }
}
