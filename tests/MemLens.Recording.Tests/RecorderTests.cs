using System.Diagnostics;
using MemLens.Events;
using MemLens.Metrics;
using MemLens.Storage;
using Xunit;

namespace MemLens.Recording.Tests;

public sealed class RecorderTests : IDisposable
{
    private static readonly Dictionary<string, string> s_noFacts = [];
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Values_round_trip_exactly()
    {
        var store = new MetricStore();
        string path = _dir.File("values.memlens");
        var expected = new Dictionary<string, List<(long T, double V)>>();
        var metrics = new[] { MetricCatalog.ProcessRss, MetricCatalog.GcPauseTime, MetricCatalog.GcMemoryLoad };
        var rng = new Random(7);
        for (int i = 0; i < 500; i++)
        {
            long t = 1_700_000_000_000 + (i * 1000) + rng.Next(-3, 4);
            foreach (var m in metrics)
            {
                double v = m.Unit == MetricUnit.Bytes ? rng.Next(1, 1 << 30) * 4096.0 : rng.NextDouble() * 1e-3;
                store.Append(m, t, v);
                (expected.TryGetValue(m.Name, out var list) ? list : expected[m.Name] = []).Add((t, v));
            }
        }

        using (var recorder = Recorder.Start(store, path, s_noFacts))
        {
            recorder.Flush();
            Assert.Equal(1500, recorder.ValuesWritten);
            Assert.Null(recorder.LastError);
        }

        using var reader = RecordingReader.Open(path);
        Assert.Equal(metrics.Select(m => m.Name).Order(StringComparer.Ordinal), reader.Series.Select(s => s.Metric));
        foreach (var m in metrics)
        {
            var points = reader.ReadSeries(m.Name, long.MinValue, long.MaxValue).ToList();
            Assert.Equal(expected[m.Name].Select(p => p.T), points.Select(p => p.TimestampMs));
            Assert.Equal(expected[m.Name].Select(p => BitConverter.DoubleToInt64Bits(p.V)), points.Select(p => BitConverter.DoubleToInt64Bits(p.Mean)));
            Assert.All(points, p => Assert.Equal((0L, 1L, p.Mean, p.Mean), (p.SpanMs, p.Count, p.Min, p.Max)));
            var series = reader.Series.Single(s => s.Metric == m.Name);
            Assert.Equal((500L, expected[m.Name][0].T, expected[m.Name][^1].T), (series.Points, series.FirstMs, series.LastMs));
            Assert.Equal(RecordingFormat.UnitName(m.Unit), series.Unit);
        }

        Assert.Equal(expected.Values.Min(l => l[0].T), reader.FirstMs);
        Assert.Equal(expected.Values.Max(l => l[^1].T), reader.LastMs);
    }

    [Fact]
    public void Later_flushes_append_only_what_is_new()
    {
        var store = new MetricStore();
        string path = _dir.File("incremental.memlens");
        using var recorder = Recorder.Start(store, path, s_noFacts);
        for (int i = 0; i < 10; i++)
        {
            for (int j = 0; j < 7; j++)
            {
                store.Append(MetricCatalog.ProcessRss, 1000 + (i * 70) + (j * 10), (i * 7) + j);
            }

            recorder.Flush();
        }

        recorder.Flush();
        Assert.Equal(70, recorder.ValuesWritten);
        using var reader = RecordingReader.Open(path);
        Assert.Equal(Enumerable.Range(0, 70).Select(i => (double)i), reader.ReadSeries("process.memory.rss", long.MinValue, long.MaxValue).Select(p => p.Mean));
    }

    [Fact]
    public void Events_read_back_write_the_same_json_as_the_originals()
    {
        var store = new MetricStore();
        string path = _dir.File("events.memlens");
        var originals = new MemEvent[]
        {
            TestEvents.FullGc(1_700_000_001_000, 12),
            new GcEvent(1_700_000_001_500, 13) { Generation = 1 }, // details missed
            TestEvents.Gen0(1_700_000_001_700, 14),
            new NoteEvent(1_700_000_002_000, "note", "He said \"release\" — ünïcødé \\ path, 100 % done"),
            new NoteEvent(1_700_000_003_000, "process.exit", "exited with code 0"),
        };
        foreach (var e in originals)
        {
            store.AddEvent(e);
        }

        using (var recorder = Recorder.Start(store, path, s_noFacts))
        {
            recorder.Flush();
            Assert.Equal(originals.Length, recorder.EventsWritten);
            Assert.Equal(0, recorder.EventsLost);
        }

        using var reader = RecordingReader.Open(path);
        var readBack = reader.ReadEvents(long.MinValue, long.MaxValue).ToList();
        Assert.Equal(originals.Select(TestEvents.Json), readBack.Select(TestEvents.Json));
        Assert.Equal(originals.Select(e => e.Describe()), readBack.Select(e => e.Describe()));
        Assert.Equal(originals.Select(e => e.Type), readBack.Select(e => e.Type));
        Assert.Equal(originals.Select(e => e.TimestampMs), readBack.Select(e => e.TimestampMs));
        Assert.DoesNotContain("\"type\"", readBack[0].FieldsJson, StringComparison.Ordinal);
        Assert.StartsWith("{\"index\":12,", readBack[0].FieldsJson, StringComparison.Ordinal);

        // Gen0/gen1 GCs are the ephemeral ones the size bound may drop first.
        var ephemeral = Sqlite3.Rows(path, "SELECT ephemeral FROM events ORDER BY id").Select(r => (long)r[0]!);
        Assert.Equal([0L, 1L, 1L, 0L, 0L], ephemeral);
        Assert.Equal(originals.Length, reader.EventCount);
    }

    [Fact]
    public void Events_dropped_by_the_store_before_a_flush_are_counted_as_lost()
    {
        var store = new MetricStore(new MetricStoreOptions { MaxEvents = 10 });
        string path = _dir.File("lost.memlens");
        using var recorder = Recorder.Start(store, path, s_noFacts);
        for (int i = 0; i < 25; i++)
        {
            store.AddEvent(new NoteEvent(1000 + i, "note", $"n{i}"));
        }

        recorder.Flush();
        store.AddEvent(new NoteEvent(2000, "note", "after"));
        recorder.Flush();
        Assert.Equal((11L, 15L), (recorder.EventsWritten, recorder.EventsLost));
        using var reader = RecordingReader.Open(path);
        Assert.Equal(["n15", "n16", "n17", "n18", "n19", "n20", "n21", "n22", "n23", "n24", "after"],
            reader.ReadEvents(long.MinValue, long.MaxValue).Select(e => e.Describe()));
        Assert.Equal("15", reader.Facts[RecordingFacts.EventsLost]);
    }

    [Fact]
    public void Facts_round_trip_and_SetFact_updates_them_at_the_next_flush()
    {
        var store = new MetricStore();
        string path = _dir.File("facts.memlens");
        var facts = new Dictionary<string, string>
        {
            [RecordingFacts.ProcessCommandLine] = "dotnet app.dll --port 8080",
            [RecordingFacts.Runtime] = "dotnet",
            ["env.GODEBUG"] = "gctrace=1,madvdontneed=1",
        };
        using (var recorder = Recorder.Start(store, path, facts))
        {
            using (var reader = RecordingReader.Open(path))
            {
                Assert.Equal("dotnet app.dll --port 8080", reader.Facts[RecordingFacts.ProcessCommandLine]);
                Assert.False(reader.Facts.ContainsKey(RecordingFacts.RuntimeVersion));
                Assert.True(DateTimeOffset.TryParse(reader.Facts[RecordingFacts.RecordingStarted], out _));
                Assert.True(reader.Facts.ContainsKey(RecordingFacts.MemLensVersion));
            }

            recorder.SetFact(RecordingFacts.RuntimeVersion, "10.0.12");
            recorder.SetFact(RecordingFacts.Runtime, "go");
            recorder.Flush();
            using (var reader = RecordingReader.Open(path))
            {
                Assert.Equal("10.0.12", reader.Facts[RecordingFacts.RuntimeVersion]);
                Assert.Equal("go", reader.Facts[RecordingFacts.Runtime]);
                Assert.Equal("gctrace=1,madvdontneed=1", reader.Facts["env.GODEBUG"]);
                Assert.False(reader.Facts.ContainsKey(RecordingFacts.RecordingStopped));
            }

            recorder.SetFact(RecordingFacts.ProcessExitCode, "137");
        }

        // Dispose writes pending facts and marks a clean stop.
        using var final = RecordingReader.Open(path);
        Assert.Equal("137", final.Facts[RecordingFacts.ProcessExitCode]);
        Assert.True(DateTimeOffset.TryParse(final.Facts[RecordingFacts.RecordingStopped], out _));
    }

    [Fact]
    public void Facts_are_bounded_in_number_and_size()
    {
        string path = _dir.File("many-facts.memlens");
        using (var recorder = Recorder.Start(new MetricStore(), path, s_noFacts))
        {
            for (int i = 0; i < Recorder.MaxFacts + 500; i++)
            {
                recorder.SetFact($"k{i}", new string('v', i == 0 ? 100_000 : 3));
            }

            recorder.SetFact("k1", "updated"); // a known key is still updated
            Assert.Throws<ArgumentOutOfRangeException>(() => recorder.SetFact(new string('k', Recorder.MaxFactKeyLength + 1), "x"));
            Assert.Throws<ArgumentException>(() => recorder.SetFact("", "x"));
        }

        using var reader = RecordingReader.Open(path);
        Assert.InRange(reader.Facts.Count, Recorder.MaxFacts, Recorder.MaxFacts + 5); // + the recorder's own facts
        Assert.Equal(RecordingWriter.MaxFactChars, reader.Facts["k0"].Length);
        Assert.Equal("updated", reader.Facts["k1"]);
        Assert.False(reader.Facts.ContainsKey($"k{Recorder.MaxFacts + 100}"));
    }

    [Fact]
    public void A_flush_of_one_round_writes_a_few_pages_not_one_per_series()
    {
        var store = new MetricStore();
        var data = new MemLens.Tests.Storage.RealisticData(6);
        string path = _dir.File("pages.memlens");
        using var recorder = Recorder.Start(store, path, s_noFacts, new RecorderOptions { FlushInterval = TimeSpan.FromHours(1) });
        for (int i = 0; i < 7200; i += 60)
        {
            data.Fill(store.Append, 60);
            recorder.Flush();
        }

        var frames = new List<long>();
        for (int round = 0; round < 20; round++)
        {
            recorder.Writer.Checkpoint();
            data.Fill(store.Append, 1); // one sample of each of 30 series: a 1 s flush
            recorder.Flush();
            frames.Add((new FileInfo(path + "-wal").Length - 32) / (4096 + 24));
        }

        // Appending to the time-major recent table dirties a leaf or two and the path to it; every 4,096 rows they
        // move to the series-major table at once (about one page per series, once every 136 rounds here).
        frames.Sort();
        Assert.True(frames[frames.Count / 2] <= 6, $"median {frames[frames.Count / 2]} WAL frames per 1 s flush: {string.Join(",", frames)}");
    }

    [Fact]
    public void The_background_flush_writes_new_values_within_the_interval()
    {
        var store = new MetricStore();
        string path = _dir.File("background.memlens");
        using var recorder = Recorder.Start(store, path, s_noFacts, new RecorderOptions { FlushInterval = TimeSpan.FromMilliseconds(100) });
        using var reader = RecordingReader.Open(path);
        for (int round = 1; round <= 3; round++)
        {
            store.Append(MetricCatalog.ProcessRss, round * 1000, round);
            var clock = Stopwatch.StartNew();
            // The interval is 100 ms; a loaded machine may take much longer, so only a generous bound is asserted.
            while (reader.ReadSeries("process.memory.rss", long.MinValue, long.MaxValue).Count() < round)
            {
                Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"value {round} not on disk after {clock.Elapsed}");
                Thread.Sleep(10);
            }
        }

        Assert.Equal(3, recorder.ValuesWritten);
    }

    [Fact]
    public async Task Flush_is_safe_beside_the_background_flush()
    {
        var store = new MetricStore();
        string path = _dir.File("concurrent.memlens");
        using var recorder = Recorder.Start(store, path, s_noFacts, new RecorderOptions { FlushInterval = TimeSpan.FromMilliseconds(10) });
        var writer = Task.Run(() =>
        {
            for (int i = 0; i < 3000; i++)
            {
                store.Append(MetricCatalog.ProcessRss, i, i);
                store.Append(MetricCatalog.ProcessVirtual, i, -i);
                if (i % 100 == 0)
                {
                    store.AddEvent(new NoteEvent(i, "note", $"n{i}"));
                }
            }
        });
        var flusher = Task.Run(() =>
        {
            while (!writer.IsCompleted)
            {
                recorder.Flush();
            }
        });
        await Task.WhenAll(writer, flusher);
        recorder.Flush();
        Assert.Null(recorder.LastError);
        Assert.Equal((6000L, 30L), (recorder.ValuesWritten, recorder.EventsWritten));
        using var reader = RecordingReader.Open(path);
        Assert.Equal(Enumerable.Range(0, 3000).Select(i => (double)i), reader.ReadSeries("process.memory.rss", long.MinValue, long.MaxValue).Select(p => p.Mean));
        Assert.Equal(30, reader.ReadEvents(long.MinValue, long.MaxValue).Count());
    }

    [Fact]
    public void Start_refuses_to_overwrite_a_file_with_content()
    {
        string path = _dir.File("existing.memlens");
        File.WriteAllText(path, "precious");
        var ex = Assert.Throws<RecordingException>(() => Recorder.Start(new MetricStore(), path, s_noFacts));
        Assert.Contains("exists", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', ex.Message);
        Assert.Equal("precious", File.ReadAllText(path));
    }

    [Fact]
    public void Start_takes_an_empty_file_and_ignores_a_stale_wal_beside_it()
    {
        string path = _dir.File("empty.memlens");
        File.WriteAllBytes(path, []);
        File.WriteAllText(path + "-wal", "left over from an older file");
        var store = new MetricStore();
        store.Append(MetricCatalog.ProcessRss, 1, 1);
        using (var recorder = Recorder.Start(store, path, s_noFacts))
        {
            recorder.Flush();
        }

        using var reader = RecordingReader.Open(path);
        Assert.Single(reader.ReadSeries("process.memory.rss", 0, 10));
    }

    [Fact]
    public void Start_fails_in_one_line_when_the_directory_does_not_exist()
    {
        var ex = Assert.Throws<RecordingException>(() => Recorder.Start(new MetricStore(), _dir.File("no/such/dir/x.memlens"), s_noFacts));
        Assert.StartsWith("cannot create", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', ex.Message);
    }

    [Fact]
    public void Options_out_of_range_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Recorder.Start(new MetricStore(), _dir.File("a"), s_noFacts, new RecorderOptions { MaxBytes = (1L << 20) - 1 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => Recorder.Start(new MetricStore(), _dir.File("b"), s_noFacts, new RecorderOptions { FlushInterval = TimeSpan.Zero }));
        Assert.False(File.Exists(_dir.File("a")));
    }

    [Fact]
    public void Dispose_is_idempotent_and_leaves_no_wal_behind()
    {
        var store = new MetricStore();
        string path = _dir.File("dispose.memlens");
        var recorder = Recorder.Start(store, path, s_noFacts);
        store.Append(MetricCatalog.ProcessRss, 1, 1);
        recorder.Dispose();
        recorder.Dispose();
        recorder.Flush(); // after Dispose: nothing, no exception
        Assert.Equal(1, recorder.ValuesWritten);
        Assert.False(File.Exists(path + "-wal") && new FileInfo(path + "-wal").Length > 0);
        Assert.Equal(new FileInfo(path).Length, recorder.BytesOnDisk);
        Assert.Equal("ok", Sqlite3.Scalar(path, "PRAGMA integrity_check"));
    }

    [Fact]
    public void The_file_is_a_WAL_database_with_the_documented_pragmas()
    {
        string path = _dir.File("pragmas.memlens");
        using (Recorder.Start(new MetricStore(), path, s_noFacts))
        {
        }

        Assert.Equal((long)RecordingFormat.ApplicationId, Sqlite3.Scalar(path, "PRAGMA application_id"));
        Assert.Equal(1L, Sqlite3.Scalar(path, "PRAGMA user_version"));
        Assert.Equal("wal", Sqlite3.Scalar(path, "PRAGMA journal_mode"));
        Assert.Equal(2L, Sqlite3.Scalar(path, "PRAGMA auto_vacuum")); // 2 = incremental
    }
}
