using System.Diagnostics;
using MemLens.Events;
using MemLens.Metrics;
using MemLens.Storage;
using MemLens.Tests.Storage;
using Xunit;
using Xunit.Abstractions;

namespace MemLens.Recording.Tests;

public sealed class SizeBoundTests(ITestOutputHelper output) : IDisposable
{
    private const long Minute = 60_000;
    private const long Hour = 3_600_000;
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>
    /// A week of 30 realistic series at 1 Hz, flushed every 10 simulated minutes into an 8 MiB recording: the file stays
    /// within the bound after every flush, still starts at the week's first minute, keeps the last hour raw, loses no
    /// value (bucket counts add up), and every bucket holds the exact min and max of the values it replaced.
    /// </summary>
    [Fact]
    public void A_week_at_1_Hz_stays_within_MaxBytes_and_keeps_the_whole_week()
    {
        const long maxBytes = 8L << 20;
        const int seconds = 7 * 86_400;
        const int flushEvery = 600;
        string path = _dir.File("week.memlens");
        var store = new MetricStore();
        var data = new RealisticData(3);
        var truth = new MinuteTruth(RealisticData.Metrics, 1_700_000_000_000, seconds);
        long fullGcs = 0, notes = 0, gen0 = 0;
        long largest = 0;
        var clock = Stopwatch.StartNew();
        using (var recorder = Recorder.Start(store, path, new Dictionary<string, string>(), new RecorderOptions { MaxBytes = maxBytes, FlushInterval = TimeSpan.FromHours(1) }))
        {
            for (int s = 0; s < seconds; s += flushEvery)
            {
                for (int i = 0; i < flushEvery; i++)
                {
                    long t = data.Next();
                    var values = data.Values;
                    for (int m = 0; m < RealisticData.Metrics.Length; m++)
                    {
                        store.Append(RealisticData.Metrics[m], t, values[m]);
                        truth.Add(m, t, values[m]);
                    }

                    int second = s + i;
                    if (second % 10 == 0)
                    {
                        store.AddEvent(TestEvents.Gen0(t, second));
                        gen0++;
                    }

                    if (second % 3600 == 0)
                    {
                        store.AddEvent(TestEvents.FullGc(t, second));
                        fullGcs++;
                    }

                    if (second % 86_400 == 0)
                    {
                        store.AddEvent(new NoteEvent(t, "note", $"day {second / 86_400}"));
                        notes++;
                    }
                }

                recorder.Flush();
                Assert.Null(recorder.LastError);
                long onDisk = FileSize(path) + FileSize(path + "-wal");
                Assert.Equal(onDisk, recorder.BytesOnDisk);
                Assert.True(onDisk <= maxBytes, $"{onDisk} bytes on disk after the flush at second {s + flushEvery}, bound {maxBytes}");
                largest = Math.Max(largest, onDisk);
            }

            var counts = recorder.Writer.Counts;
            output.WriteLine($"week written in {clock.Elapsed}; {recorder.Writer.Reductions} reductions; largest {largest} bytes; " +
                $"rows raw {counts.RawRows}, minute {counts.MinuteRows}, hour {counts.HourRows}; events {counts.EphemeralEvents} ephemeral, {counts.OtherEvents} other");
        }

        Assert.True(FileSize(path) <= maxBytes);
        Assert.Equal("ok", Sqlite3.Scalar(path, "PRAGMA integrity_check"));
        using var reader = RecordingReader.Open(path);
        long start = truth.StartMs;
        long end = data.TimestampMs;
        foreach (var metric in RealisticData.Metrics)
        {
            int m = Array.IndexOf(RealisticData.Metrics, metric);
            var points = reader.ReadSeries(metric.Name, long.MinValue, long.MaxValue).ToList();
            Assert.True(points[0].TimestampMs - start < Hour, $"{metric.Name} starts {points[0].TimestampMs - start} ms after the week");
            Assert.True(end - points.Where(p => p.SpanMs == 0).Min(p => p.TimestampMs) >= Hour, $"{metric.Name}: less than the last hour at full resolution");

            long total = 0;
            foreach (var p in points.Where(p => p.SpanMs > 0))
            {
                var expected = truth.Over(m, p.TimestampMs, p.TimestampMs + p.SpanMs);
                Assert.True(expected.Count == p.Count, $"{metric.Name} bucket {p.TimestampMs}+{p.SpanMs}: count {p.Count}, generated {expected.Count}");
                Assert.Equal(expected.Min, p.Min);
                Assert.Equal(expected.Max, p.Max);
                Assert.Equal(expected.Mean, p.Mean, Math.Abs(expected.Mean) * 1e-9);
                total += p.Count;
            }

            foreach (var minute in points.Where(p => p.SpanMs == 0).GroupBy(p => p.TimestampMs - (p.TimestampMs % Minute)))
            {
                var expected = truth.Over(m, minute.Key, minute.Key + Minute);
                Assert.Equal((expected.Count, expected.Min, expected.Max), ((long)minute.Count(), minute.Min(p => p.Mean), minute.Max(p => p.Mean)));
                total += minute.Count();
            }

            Assert.Equal(seconds, total); // downsampled, not dropped
            AssertNoOverlap(metric.Name, points);
        }

        var events = reader.ReadEvents(long.MinValue, long.MaxValue).ToList();
        Assert.Equal(fullGcs, events.Count(e => e.FieldsJson.Contains("\"generation\":2", StringComparison.Ordinal)));
        Assert.Equal(notes, events.Count(e => e.Type == "note"));
        long gen0Kept = events.Count(e => e.FieldsJson.Contains("\"generation\":0", StringComparison.Ordinal));
        Assert.InRange(gen0Kept, 1, gen0 - 1); // the oldest ephemeral ones made room, the newest are there
        output.WriteLine($"file {FileSize(path)} bytes; gen0 events kept {gen0Kept} of {gen0}; first point {(reader.FirstMs - start) / 1000.0} s after the start");
    }

    /// <summary>
    /// A recording's flush may span several transactions with the size bound run after each, while some series are
    /// written up to now and others not yet: buckets must still replace whole periods, and no value may be lost.
    /// </summary>
    [Fact]
    public void Flushes_of_several_transactions_into_a_small_bound_lose_nothing_and_never_overlap()
    {
        const long maxBytes = 1L << 20;
        string path = _dir.File("small.memlens");
        var store = new MetricStore();
        var data = new RealisticData(8);
        using (var recorder = Recorder.Start(store, path, new Dictionary<string, string>(), new RecorderOptions { MaxBytes = maxBytes, FlushInterval = TimeSpan.FromHours(1) }))
        {
            for (int i = 0; i < 12; i++)
            {
                data.Fill(store.Append, 1800); // 54,000 values: three transactions
                recorder.Flush();
                Assert.True(recorder.BytesOnDisk <= maxBytes, $"{recorder.BytesOnDisk} bytes after flush {i}");
            }

            Assert.DoesNotContain(recorder.Writer.ReductionLog, step => step.StartsWith("hours dropped", StringComparison.Ordinal));
        }

        using var reader = RecordingReader.Open(path);
        foreach (var series in reader.Series)
        {
            var points = reader.ReadSeries(series.Metric, long.MinValue, long.MaxValue).ToList();
            Assert.Equal(12 * 1800, points.Sum(p => p.Count));
            AssertNoOverlap(series.Metric, points);
        }
    }

    /// <summary>Every point starts after the previous one's period ends: a bucket never sits beside values of its own period.</summary>
    internal static void AssertNoOverlap(string metric, IReadOnlyList<RecordedPoint> points)
    {
        for (int i = 1; i < points.Count; i++)
        {
            var previous = points[i - 1];
            long end = previous.SpanMs == 0 ? previous.TimestampMs + 1 : previous.TimestampMs + previous.SpanMs;
            Assert.True(points[i].TimestampMs >= end, $"{metric}: {points[i]} overlaps {previous}");
        }
    }

    private static long FileSize(string path) => File.Exists(path) ? new FileInfo(path).Length : 0;

    /// <summary>Min, max, sum and count of the generated values per series and minute.</summary>
    private sealed class MinuteTruth
    {
        private readonly int _minutes;
        private readonly double[] _min, _max, _sum;
        private readonly long[] _count;

        public MinuteTruth(MetricDescriptor[] metrics, long startMs, int seconds)
        {
            StartMs = startMs - (startMs % Minute);
            _minutes = (seconds / 60) + 2;
            int n = metrics.Length * _minutes;
            _min = new double[n];
            _max = new double[n];
            _sum = new double[n];
            _count = new long[n];
            Array.Fill(_min, double.PositiveInfinity);
            Array.Fill(_max, double.NegativeInfinity);
        }

        public long StartMs { get; }

        public void Add(int metric, long t, double value)
        {
            int i = (metric * _minutes) + (int)((t - StartMs) / Minute);
            _min[i] = Math.Min(_min[i], value);
            _max[i] = Math.Max(_max[i], value);
            _sum[i] += value;
            _count[i]++;
        }

        public (long Count, double Min, double Max, double Mean) Over(int metric, long from, long to)
        {
            double min = double.PositiveInfinity, max = double.NegativeInfinity, sum = 0;
            long count = 0;
            for (long minute = Math.Max(from, StartMs); minute < to; minute += Minute)
            {
                int index = (int)((minute - StartMs) / Minute);
                if (index >= _minutes)
                {
                    break;
                }

                int i = (metric * _minutes) + index;
                min = Math.Min(min, _min[i]);
                max = Math.Max(max, _max[i]);
                sum += _sum[i];
                count += _count[i];
            }

            return (count, min, max, count == 0 ? 0 : sum / count);
        }
    }
}
