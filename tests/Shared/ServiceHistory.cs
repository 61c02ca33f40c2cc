using MemLens.Events;
using MemLens.Metrics;
using MemLens.Storage;

namespace MemLens.Tests.Shared;

/// <summary>
/// Made-up history of a .NET service at 1 Hz with a GC every 10 s, for tests of what big histories cost (the
/// dashboard's first paint over a day, a report over a week): a slow leak and noise, so neither compression nor
/// payloads are flattered. Timestamps are fast-forwarded, not waited for. Compiled into each test project that needs
/// it (a linked source file: the projects share no assembly for it).
/// </summary>
internal static class ServiceHistory
{
    private static readonly MetricDescriptor[] s_extra =
        [MetricCatalog.ProcessCode, MetricCatalog.ProcessData, MetricCatalog.ProcessPageTables, MetricCatalog.ProcessThreads];

    /// <param name="store">Where the values and GC events go.</param>
    /// <param name="startMs">Time of the first sample.</param>
    /// <param name="seconds">Samples per series.</param>
    /// <param name="leakBytesPerSecond">How fast RSS (and the heap, by 80 % of it) rises.</param>
    /// <param name="dailyCycle">Load that follows the day: ±30 MB of RSS and heap over 24 h.</param>
    /// <param name="extraSeries">Also code, data, page tables and threads: 30 series instead of 26.</param>
    public static void Fill(MetricStore store, long startMs, int seconds, double leakBytesPerSecond, bool dailyCycle, bool extraSeries)
    {
        var random = new Random(20261122);
        double allocated = 0, gcs = 0, gen0 = 0, gen1 = 0, gen2 = 0;
        double heap = 80e6;
        long gcIndex = 0;
        for (int i = 0; i < seconds; i++)
        {
            long ts = startMs + (i * 1000L);
            double leak = i * leakBytesPerSecond;
            double daily = dailyCycle ? 30e6 * Math.Sin(i * 2 * Math.PI / 86_400) : 0;
            double noise() => (random.NextDouble() - 0.5) * 2e6;
            double rss = 300e6 + leak + daily + noise();
            heap += 3e6;
            if (i % 10 == 0)
            {
                int generation = i % 600 == 0 ? 2 : i % 60 == 0 ? 1 : 0;
                double before = heap;
                heap = 80e6 + (leak * 0.8) + Math.Max(0, daily) + noise();
                gcs++;
                _ = generation switch { 2 => gen2++, 1 => gen1++, _ => gen0++ };
                store.AddEvent(new GcEvent(ts, ++gcIndex)
                {
                    Generation = generation,
                    Kind = generation == 2 ? GcKind.Background : GcKind.Ephemeral,
                    HasDetails = true,
                    Pause = TimeSpan.FromMilliseconds(0.5 + (random.NextDouble() * (generation + 1) * 3)),
                    HeapSizeBeforeBytes = (long)before,
                    HeapSizeAfterBytes = (long)heap,
                    CommittedBytes = (long)(heap * 1.3),
                });
            }

            allocated += 3e6 + noise();
            Put(store, MetricCatalog.ProcessRss, ts, rss);
            Put(store, MetricCatalog.ProcessPss, ts, rss * 0.93);
            Put(store, MetricCatalog.ProcessUss, ts, rss * 0.88);
            Put(store, MetricCatalog.ProcessAnon, ts, rss * 0.8);
            Put(store, MetricCatalog.ProcessFile, ts, 55e6 + (noise() / 20));
            Put(store, MetricCatalog.ProcessShmem, ts, 8e6);
            Put(store, MetricCatalog.ProcessSwap, ts, 0);
            Put(store, MetricCatalog.ProcessLazyFree, ts, Math.Max(0, 4e6 + noise()));
            Put(store, MetricCatalog.ProcessVirtual, ts, 274e9 + (leak * 3));
            Put(store, MetricCatalog.GcHeapSize, ts, heap);
            Put(store, MetricCatalog.GcCommitted, ts, heap * 1.3);
            Put(store, MetricCatalog.GcFragmented, ts, 5e6 + (noise() / 4));
            Put(store, MetricCatalog.GcGen0Size, ts, 2e6 + (noise() / 4));
            Put(store, MetricCatalog.GcGen1Size, ts, 1e6 + (noise() / 8));
            Put(store, MetricCatalog.GcGen2Size, ts, 60e6 + (leak * 0.8));
            Put(store, MetricCatalog.GcLohSize, ts, 12e6);
            Put(store, MetricCatalog.GcPohSize, ts, 1e5);
            Put(store, MetricCatalog.GcAllocated, ts, allocated);
            Put(store, MetricCatalog.GcCollections, ts, gcs);
            Put(store, MetricCatalog.GcGen0Collections, ts, gen0);
            Put(store, MetricCatalog.GcGen1Collections, ts, gen1);
            Put(store, MetricCatalog.GcGen2Collections, ts, gen2);
            Put(store, MetricCatalog.ContainerUsage, ts, rss + 150e6 + noise());
            Put(store, MetricCatalog.ContainerLimit, ts, 1024e6);
            Put(store, MetricCatalog.ContainerAnon, ts, rss * 0.85);
            Put(store, MetricCatalog.ContainerFile, ts, 140e6 + noise());
            if (extraSeries)
            {
                foreach (var m in s_extra)
                {
                    Put(store, m, ts, m == MetricCatalog.ProcessThreads ? 40 + (i % 7) : 20e6 + (noise() / 10));
                }
            }
        }
    }

    // Byte figures are whole numbers, as they are when read from /proc.
    private static void Put(MetricStore store, MetricDescriptor metric, long ts, double value) => store.Append(metric, ts, Math.Round(value));
}
