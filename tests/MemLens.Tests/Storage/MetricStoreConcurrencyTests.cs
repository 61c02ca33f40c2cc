using System.Collections.Concurrent;
using MemLens.Events;
using MemLens.Metrics;
using MemLens.Storage;
using Xunit;

namespace MemLens.Tests.Storage;

public class MetricStoreConcurrencyTests
{
    /// <summary>
    /// A real writer thread appends a strictly increasing series (and a page-aligned one) under a small budget, so
    /// chunks seal and roll up all the time, while readers query. A torn read would show up as a
    /// bucket that does not follow the previous one, a value that is not page-aligned, or a latest value going back.
    /// </summary>
    [Fact]
    public void Readers_never_see_torn_state_while_one_writer_appends_and_evicts()
    {
        const long budget = 96 * 1024;
        var store = new MetricStore(new MetricStoreOptions { MemoryBudgetBytes = budget, RawChunkBytes = 512, MaxEvents = 500 });
        var counter = MetricCatalog.GcAllocated;
        var rss = MetricCatalog.ProcessRss;
        const long start = 1_700_000_000_000;
        var errors = new ConcurrentQueue<string>();
        using var stop = new CancellationTokenSource();
        long written = 0;

        var writer = new Thread(() =>
        {
            var rng = new Random(1);
            double page = 300 << 20;
            for (long i = 0; !stop.IsCancellationRequested || i < 200_000; i++)
            {
                long t = start + (i * 1000) + rng.Next(-3, 4);
                store.Append(counter, t, i);
                page = Math.Max(4096, page + (rng.Next(-8, 9) * 4096));
                store.Append(rss, t, page);
                if (i % 100 == 0)
                {
                    store.AddEvent(new NoteEvent(t, "note", "tick"));
                }

                Interlocked.Exchange(ref written, i);
                if (i > 2_000_000)
                {
                    break;
                }
            }
        }) { Name = "test writer" };

        var readers = Enumerable.Range(0, 3).Select(r => new Thread(() =>
        {
            var rng = new Random(100 + r);
            long lastLatest = long.MinValue;
            try
            {
                while (!stop.IsCancellationRequested)
                {
                    long n = Interlocked.Read(ref written);
                    long from = start + (long)(rng.NextDouble() * n * 1000);
                    long to = from + (long)(rng.NextDouble() * 3 * 86_400_000);
                    int maxPoints = rng.Next(1, 2000);
                    Check(store.Query(counter, from, to, maxPoints), maxPoints, monotone: true);
                    Check(store.Query(rss, from, to, maxPoints), maxPoints, monotone: false);
                    if (store.TryGetLatest(counter, out _, out double latest))
                    {
                        if (latest < lastLatest)
                        {
                            errors.Enqueue($"latest went back: {latest} < {lastLatest}");
                        }

                        lastLatest = (long)latest;
                    }

                    var events = store.GetEvents(from, to, 50);
                    if (events.Count > 50 || events.Zip(events.Skip(1)).Any(p => p.First.TimestampMs > p.Second.TimestampMs))
                    {
                        errors.Enqueue("events out of order or over max");
                    }

                    if (store.MemoryBytes > budget)
                    {
                        errors.Enqueue($"MemoryBytes {store.MemoryBytes} > budget");
                    }
                }
            }
            catch (Exception e)
            {
                errors.Enqueue(e.ToString());
            }
        }) { Name = $"test reader {r}" }).ToList();

        void Check(SeriesData d, int maxPoints, bool monotone)
        {
            if (d.Count > maxPoints || d.Timestamps.Length != d.Count)
            {
                errors.Enqueue($"{d.Count} points for max {maxPoints}");
            }

            for (int i = 0; i < d.Count; i++)
            {
                if (!(d.Min[i] <= d.Mean[i] && d.Mean[i] <= d.Max[i]))
                {
                    errors.Enqueue($"min/mean/max out of order at {i}");
                }

                if (i > 0 && d.Timestamps[i] <= d.Timestamps[i - 1])
                {
                    errors.Enqueue("timestamps not increasing");
                }

                if (monotone && i > 0 && d.Min[i] < d.Max[i - 1])
                {
                    errors.Enqueue($"increasing series went back: bucket {i} min {d.Min[i]} < previous max {d.Max[i - 1]}");
                }

                if (!monotone && (d.Min[i] % 4096 != 0 || d.Max[i] % 4096 != 0))
                {
                    errors.Enqueue($"torn value {d.Min[i]} / {d.Max[i]}");
                }
            }
        }

        writer.Start();
        readers.ForEach(t => t.Start());
        Thread.Sleep(TimeSpan.FromSeconds(2));
        stop.Cancel();
        writer.Join();
        readers.ForEach(t => t.Join());

        Assert.True(errors.IsEmpty, string.Join("\n", errors.Take(10)));
        var info = store.GetSeriesInfo(counter)!;
        Assert.True(info.MinuteBuckets + info.HourBuckets > 0, "the writer went through evictions");
        Assert.True(store.MemoryBytes <= budget);
    }
}
