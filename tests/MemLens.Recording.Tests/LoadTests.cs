using MemLens.Events;
using MemLens.Metrics;
using MemLens.Storage;
using MemLens.Tests.Storage;
using Microsoft.Data.Sqlite;
using Xunit;

namespace MemLens.Recording.Tests;

/// <summary>LoadInto: a recording back into a store, for <c>memlens open</c>, <c>report</c> and <c>doctor</c>.</summary>
public sealed class LoadTests : IDisposable
{
    private static readonly RecorderOptions s_manual = new() { FlushInterval = TimeSpan.FromHours(1) };
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Raw_values_and_events_load_as_they_were_recorded()
    {
        string path = _dir.File("raw.memlens");
        var source = new MetricStore();
        new RealisticData(9).Fill(source.Append, 600);
        var events = new MemEvent[] { TestEvents.FullGc(1_700_000_100_000, 1), new NoteEvent(1_700_000_200_000, "process.exit", "exited with code 3") };
        foreach (var e in events)
        {
            source.AddEvent(e);
        }

        using (var recorder = Recorder.Start(source, path, new Dictionary<string, string>(), s_manual))
        {
            recorder.Flush();
        }

        using var reader = RecordingReader.Open(path);
        var target = new MetricStore(new MetricStoreOptions { MemoryBudgetBytes = 64L << 20 });
        var result = reader.LoadInto(target);
        Assert.Equal((30 * 600L, 2L, 0L), (result.Values, result.Events, result.SkippedPoints));
        Assert.Empty(result.UnknownMetrics);
        foreach (var metric in RealisticData.Metrics)
        {
            var expected = source.Query(metric, long.MinValue, long.MaxValue, 10_000);
            var loaded = target.Query(metric, long.MinValue, long.MaxValue, 10_000);
            Assert.False(loaded.Downsampled);
            Assert.Equal(expected.Timestamps[..expected.Count], loaded.Timestamps[..loaded.Count]);
            Assert.Equal(expected.Mean[..expected.Count], loaded.Mean[..loaded.Count]);
        }

        Assert.Equal(events.Select(TestEvents.Json), target.GetEvents(long.MinValue, long.MaxValue).Select(TestEvents.Json));
    }

    [Fact]
    public void A_bucket_loads_with_its_exact_min_and_max_and_its_mean_where_it_can()
    {
        string path = _dir.File("buckets.memlens");
        var source = new MetricStore();
        var data = new RealisticData(11);
        using (var recorder = Recorder.Start(source, path, new Dictionary<string, string>(), new RecorderOptions { MaxBytes = 1L << 20, FlushInterval = TimeSpan.FromHours(1) }))
        {
            for (int i = 0; i < 16; i++)
            {
                data.Fill(source.Append, 1800);
                recorder.Flush();
            }
        }

        using var reader = RecordingReader.Open(path);
        var target = new MetricStore(new MetricStoreOptions { MemoryBudgetBytes = 64L << 20 });
        reader.LoadInto(target);
        int buckets = 0, meansKept = 0;
        foreach (var metric in RealisticData.Metrics)
        {
            foreach (var p in reader.ReadSeries(metric.Name, long.MinValue, long.MaxValue).Where(p => p.SpanMs > 0))
            {
                var q = target.Query(metric, p.TimestampMs, p.TimestampMs + p.SpanMs - 1, 1);
                Assert.Equal(1, q.Count);
                if (p.Min != q.Min[0] || p.Max != q.Max[0])
                {
                    var near = reader.ReadSeries(metric.Name, p.TimestampMs - 120_000, p.TimestampMs + 3_600_000).Take(12).Select(x => $"{x.TimestampMs} {x.SpanMs} {x.Count} {x.Min} {x.Max}");
                    var loaded = target.Query(metric, p.TimestampMs, p.TimestampMs + p.SpanMs - 1, 100000);
                    Assert.Fail($"{metric.Name} {p}\n{string.Join("\n", near)}\nloaded {string.Join(",", loaded.Timestamps[..loaded.Count].Zip(loaded.Mean).Take(20))}");
                }
                Assert.Equal((p.Min, p.Max), (q.Min[0], q.Max[0]));
                double third = (p.Max - p.Min) / 3;
                if (p.Mean >= p.Min + third && p.Mean <= p.Max - third)
                {
                    Assert.Equal(p.Mean, q.Mean[0], Math.Abs(p.Mean) * 1e-12);
                    meansKept++;
                }

                buckets++;
            }
        }

        Assert.True(buckets > 1000, $"only {buckets} buckets: the recording was not downsampled as expected");
        Assert.True(meansKept > 0);
    }

    [Fact]
    public void Series_this_MemLens_does_not_know_are_skipped_and_named()
    {
        string path = _dir.File("unknown.memlens");
        var source = new MetricStore();
        source.Append(MetricCatalog.ProcessRss, 1000, 1);
        using (var recorder = Recorder.Start(source, path, new Dictionary<string, string>(), s_manual))
        {
            recorder.Flush();
        }

        using (var c = Sqlite3.Open(path, SqliteOpenMode.ReadWrite))
        using (var command = c.CreateCommand())
        {
            command.CommandText = """
                INSERT INTO metrics(id, name, unit, kind) VALUES (99, 'future.memory.thing', 'bytes', 'gauge');
                INSERT INTO samples(metric, t, value) VALUES (99, 1000, 5), (99, 2000, 6);
                """;
            command.ExecuteNonQuery();
        }

        using var reader = RecordingReader.Open(path);
        Assert.Contains("future.memory.thing", reader.MetricNames);
        var target = new MetricStore();
        var result = reader.LoadInto(target);
        Assert.Equal(["future.memory.thing"], result.UnknownMetrics);
        Assert.Equal((1L, 2L), (result.Values, result.SkippedPoints));
        Assert.True(target.TryGetLatest(MetricCatalog.ProcessRss, out _, out double v) && v == 1);
    }

    [Fact]
    public void Progress_goes_from_0_to_1_and_cancellation_stops_the_load()
    {
        string path = _dir.File("progress.memlens");
        var source = new MetricStore();
        new RealisticData(2).Fill(source.Append, 3600);
        for (int i = 0; i < 5000; i++)
        {
            source.AddEvent(TestEvents.Gen0(1_700_000_000_000 + i, i));
        }

        using (var recorder = Recorder.Start(source, path, new Dictionary<string, string>(), s_manual))
        {
            recorder.Flush();
        }

        using var reader = RecordingReader.Open(path);
        var reports = new List<double>();
        reader.LoadInto(new MetricStore(), new SynchronousProgress(reports.Add));
        Assert.Equal(0, reports[0]);
        Assert.Equal(1, reports[^1]);
        Assert.True(reports.Count is > 10 and < 300, $"{reports.Count} reports");
        Assert.Equal(reports.Order(), reports);

        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => reader.LoadInto(new MetricStore(), null, cts.Token));
    }

    [Fact]
    public void A_reader_follows_a_recording_while_it_is_written()
    {
        string path = _dir.File("live.memlens");
        var source = new MetricStore();
        using var recorder = Recorder.Start(source, path, new Dictionary<string, string>(), new RecorderOptions { FlushInterval = TimeSpan.FromMilliseconds(20) });
        using var reader = RecordingReader.Open(path);
        int appended = 0, seen = 0;
        for (int batch = 0; batch < 10; batch++)
        {
            for (int i = 0; i < 300; i++, appended++)
            {
                source.Append(MetricCatalog.ProcessRss, 1_700_000_000_000 + appended, appended);
            }

            // Read while the background flush may be writing: always a consistent prefix, never shorter than before.
            var during = Read(reader);
            Assert.Equal(Enumerable.Range(0, during.Count).Select(x => (double)x), during);
            Assert.InRange(during.Count, seen, appended);

            // Once the recorder has written the batch (a condition, not a pause), the same open reader sees all of it.
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (recorder.ValuesWritten < appended)
            {
                Assert.True(DateTime.UtcNow < deadline, $"the recorder wrote {recorder.ValuesWritten} of {appended} values within 30 s ({recorder.LastError})");
                Thread.Sleep(5);
            }

            var after = Read(reader);
            Assert.Equal(Enumerable.Range(0, appended).Select(x => (double)x), after);
            seen = after.Count;
        }

        static List<double> Read(RecordingReader reader) =>
            reader.ReadSeries("process.memory.rss", long.MinValue, long.MaxValue).Select(p => p.Mean).ToList();
    }

    [Fact]
    public void Values_the_store_had_already_rolled_up_are_recorded_as_the_store_returns_them()
    {
        // A 32 KiB store holds an hour or so of one series at full resolution: hours of history are in its rollups
        // before the recorder starts (a recorder started late).
        var source = new MetricStore(new MetricStoreOptions { MemoryBudgetBytes = 32 * 1024, RollupShare = 0.5 });
        var rss = MetricCatalog.ProcessRss;
        var data = new RealisticData(4);
        for (int s = 0; s < 6 * 3600; s++)
        {
            source.Append(rss, data.Next(), data.Values[0]);
        }

        var info = source.GetSeriesInfo(rss)!;
        Assert.True(info.MinuteBuckets + info.HourBuckets > 0, $"{info}");
        string path = _dir.File("late.memlens");
        using (var recorder = Recorder.Start(source, path, new Dictionary<string, string>(), s_manual))
        {
            recorder.Flush();
        }

        using var reader = RecordingReader.Open(path);
        var points = reader.ReadSeries(rss.Name, long.MinValue, long.MaxValue).ToList();
        Assert.True(source.TryGetFirst(rss, out long first, out _));
        Assert.Equal(first - (first % 60_000), points[0].TimestampMs);
        var raw = points.Where(p => p.SpanMs == 0).ToList();
        Assert.Equal(info.FullResolutionFromMs, raw[0].TimestampMs);
        Assert.Equal(info.RawPoints, raw.Count);
        var rolled = points.Where(p => p.SpanMs > 0).ToList();
        Assert.All(rolled, p => Assert.True(p.Count == 0 && p.Min <= p.Mean && p.Mean <= p.Max));
        foreach (var p in rolled)
        {
            // What the store answers for that minute (an hour bucket of the store lands whole in the minute it starts).
            var expected = source.Query(rss, p.TimestampMs, Math.Min(p.TimestampMs + 59_999, info.FullResolutionFromMs!.Value - 1), 1);
            Assert.Equal((expected.Mean[0], expected.Min[0], expected.Max[0]), (p.Mean, p.Min, p.Max));
        }

        Assert.Equal(info.MinuteBuckets + info.HourBuckets, rolled.Count);
    }

    private sealed class SynchronousProgress(Action<double> report) : IProgress<double>
    {
        public void Report(double value) => report(value);
    }
}
