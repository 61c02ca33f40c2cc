using MemLens.Events;
using MemLens.Metrics;
using MemLens.Storage;

namespace MemLens.DashboardFixture;

/// <summary>
/// A store holding 24 h of 1 Hz samples of every series the dashboard draws, shaped like a .NET service with a
/// slow leak (noisy, so compression and payload are not flattered), and a GC every 10 s.
/// </summary>
internal static class DayOfHistory
{
    public const int Seconds = 86_400;

    public static MetricStore Create(long endMs)
    {
        var store = new MetricStore();
        var random = new Random(20261122);
        long start = endMs - ((Seconds - 1) * 1000L);
        double allocated = 0, gcs = 0, gen0 = 0, gen1 = 0, gen2 = 0;
        double heap = 80e6;
        long gcIndex = 0;
        for (int i = 0; i < Seconds; i++)
        {
            long ts = start + (i * 1000L);
            double leak = i * 1200.0; // ~100 MB over the day
            double noise() => (random.NextDouble() - 0.5) * 2e6;
            double rss = 300e6 + leak + noise();
            heap += 3e6;
            bool gc = i % 10 == 0;
            if (gc)
            {
                int generation = i % 600 == 0 ? 2 : i % 60 == 0 ? 1 : 0;
                double before = heap;
                heap = 80e6 + (leak * 0.8) + noise();
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
        }

        return store;
    }

    // Byte figures are whole numbers, as they are when read from /proc.
    private static void Put(MetricStore store, MetricDescriptor metric, long ts, double value) => store.Append(metric, ts, Math.Round(value));
}
