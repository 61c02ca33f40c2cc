using System.Diagnostics;
using System.Globalization;
using MemLens.Events;
using MemLens.Recording;
using MemLens.Storage;
using MemLens.Tests.Storage;

namespace MemLens.Benchmarks;

/// <summary>
/// `--recording [dir]`: what a recording costs on disk and in time, for docs/recording.md. 30 realistic series at 1 Hz
/// (the store tests' data) recorded with flushes every 10 simulated seconds, then read back and loaded. The files are
/// left in <c>dir</c> (default: a temporary directory) for a look with <c>sqlite3</c> (its dbstat table gives bytes per
/// table). Not a BenchmarkDotNet run: most figures are space, and the times are single runs of seconds each.
/// </summary>
internal static class RecordingReport
{
    private const int Day = 86_400;
    private const int FlushEvery = 10;

    public static void Run(string? directory)
    {
        string dir = directory ?? Path.Combine(Path.GetTempPath(), "memlens-recording-report");
        Directory.CreateDirectory(dir);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $".NET {Environment.Version}, {Environment.ProcessorCount} cores; files in {dir}"));

        string day = Record(Path.Combine(dir, "day.memlens"), Day, 1L << 30, "a day, unbounded");
        Load(day, "a day");
        Export(day);
        Record(Path.Combine(dir, "week-256MiB.memlens"), 7 * Day, 256L << 20, "a week, MaxBytes 256 MiB");
        Record(Path.Combine(dir, "week-8MiB.memlens"), 7 * Day, 8L << 20, "a week, MaxBytes 8 MiB");
    }

    private static string Record(string path, int seconds, long maxBytes, string name)
    {
        foreach (string suffix in (string[])["", "-wal", "-shm"])
        {
            File.Delete(path + suffix);
        }

        var store = new MetricStore();
        var data = new RealisticData(42);
        var flush = new List<double>();
        double slowestReduction = 0;
        int reductions = 0;
        var total = Stopwatch.StartNew();
        long values;
        using (var recorder = Recorder.Start(store, path, new Dictionary<string, string> { [RecordingFacts.MemLensCommand] = "report" },
            new RecorderOptions { MaxBytes = maxBytes, FlushInterval = TimeSpan.FromHours(1) }))
        {
            for (int s = 0; s < seconds; s += FlushEvery)
            {
                data.Fill(store.Append, FlushEvery);
                if (s % 10 == 0)
                {
                    store.AddEvent(new GcEvent(data.TimestampMs, s) { Generation = s % 600 == 0 ? 2 : 0, HasDetails = true, Kind = GcKind.Ephemeral });
                }

                int before = recorder.Writer.Reductions;
                long start = Stopwatch.GetTimestamp();
                recorder.Flush();
                double ms = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                if (recorder.Writer.Reductions != before)
                {
                    reductions++;
                    slowestReduction = Math.Max(slowestReduction, ms);
                }
                else
                {
                    flush.Add(ms);
                }
            }

            values = recorder.ValuesWritten;
            var c = recorder.Writer.Counts;
            flush.Sort();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{name}: {values:N0} values in {total.Elapsed.TotalSeconds:F1} s ({values / total.Elapsed.TotalSeconds:N0} values/s incl. generating them); " +
                $"flush of {30 * FlushEvery} values: median {flush[flush.Count / 2]:F2} ms, p99 {flush[(int)(flush.Count * 0.99)]:F2} ms; " +
                $"{reductions} reductions, slowest flush with one {slowestReduction:F0} ms; on disk {recorder.BytesOnDisk:N0} bytes " +
                $"({(double)recorder.BytesOnDisk / values:F2} per value written); rows raw {c.RawRows:N0}, minute {c.MinuteRows:N0}, hour {c.HourRows:N0}; " +
                $"events {c.EphemeralEvents + c.OtherEvents:N0}; largest WAL after a transaction {recorder.Writer.LargestTransactionWalBytes:N0}, during a reduction {recorder.Writer.LargestReductionWalBytes:N0}"));
        }

        using var reader = RecordingReader.Open(path);
        var rss = reader.ReadSeries("process.memory.rss", long.MinValue, long.MaxValue).ToList();
        long end = rss[^1].TimestampMs;
        foreach (var tier in rss.GroupBy(p => p.SpanMs).OrderBy(g => g.Key))
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  span {tier.Key,7} ms: {tier.Count(),8:N0} points, from {(end - tier.First().TimestampMs) / 3_600_000.0,6:F1} h to {(end - tier.Last().TimestampMs) / 3_600_000.0,5:F1} h before the end"));
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  after close: {new FileInfo(path).Length:N0} bytes"));
        return path;
    }

    private static void Load(string path, string name)
    {
        var open = Stopwatch.StartNew();
        using var reader = RecordingReader.Open(path);
        _ = reader.Series;
        double openMs = open.Elapsed.TotalMilliseconds;
        var store = new MetricStore(new MetricStoreOptions { MemoryBudgetBytes = 64L << 20 });
        var load = Stopwatch.StartNew();
        var result = reader.LoadInto(store);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"load {name}: open + series {openMs:F0} ms, LoadInto {load.Elapsed.TotalSeconds:F2} s for {result.Values:N0} values and {result.Events:N0} events ({result.Values / load.Elapsed.TotalSeconds:N0} values/s)"));
    }

    private static void Export(string path)
    {
        using var reader = RecordingReader.Open(path);
        var csv = Stopwatch.StartNew();
        using (var writer = new StreamWriter(Stream.Null))
        {
            RecordingExport.WriteCsv(reader, writer, long.MinValue, long.MaxValue, null);
        }

        double csvSeconds = csv.Elapsed.TotalSeconds;
        var json = Stopwatch.StartNew();
        RecordingExport.WriteJson(reader, Stream.Null, long.MinValue, long.MaxValue, null);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"export a day: CSV {csvSeconds:F2} s, JSON {json.Elapsed.TotalSeconds:F2} s"));
    }
}
