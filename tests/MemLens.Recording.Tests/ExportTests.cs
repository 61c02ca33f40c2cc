using System.Globalization;
using System.Text;
using System.Text.Json;
using MemLens.Events;
using MemLens.Metrics;
using MemLens.Storage;
using Xunit;

namespace MemLens.Recording.Tests;

public sealed class ExportTests : IDisposable
{
    private const long T0 = 1_700_000_000_000;
    private readonly TempDirectory _dir = new();
    private readonly string _path;
    private readonly MemEvent[] _events;

    public ExportTests()
    {
        _path = _dir.File("export.memlens");
        var store = new MetricStore();
        for (int i = 0; i < 100; i++)
        {
            store.Append(MetricCatalog.ProcessRss, T0 + (i * 1000L), (300 << 20) + (i * 4096.0));
            store.Append(MetricCatalog.GcPauseTime, T0 + (i * 1000L) + 7, i * 0.001 / 3);
            store.Append(MetricCatalog.ProcessThreads, T0 + (i * 1000L), 20 + (i % 3));
        }

        _events = [TestEvents.FullGc(T0 + 10_000, 1), new NoteEvent(T0 + 50_000, "note", "a \"quoted\", comma"), TestEvents.Gen0(T0 + 90_000, 2)];
        foreach (var e in _events)
        {
            store.AddEvent(e);
        }

        using var recorder = Recorder.Start(store, _path, new Dictionary<string, string> { [RecordingFacts.Runtime] = "dotnet", ["note"] = "ünïcødé, \"x\"" });
        recorder.Flush();
    }

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Csv_has_one_row_per_point_metric_major_in_time_order_with_exactly_the_values_recorded()
    {
        using var reader = RecordingReader.Open(_path);
        var rows = Csv(reader, long.MinValue, long.MaxValue, null);
        Assert.Equal(300, rows.Count);
        // The reference is what the constructor appended (not the reader's own answer), metric by metric in name order.
        var expected = Enumerable.Range(0, 100).Select(i => ("dotnet.gc.pause.time", "seconds", T0 + (i * 1000L) + 7, i * 0.001 / 3))
            .Concat(Enumerable.Range(0, 100).Select(i => ("process.memory.rss", "bytes", T0 + (i * 1000L), (300 << 20) + (i * 4096.0))))
            .Concat(Enumerable.Range(0, 100).Select(i => ("process.threads", "count", T0 + (i * 1000L), 20.0 + (i % 3))))
            .ToList();
        for (int i = 0; i < rows.Count; i++)
        {
            var (metric, unit, t, value) = expected[i];
            var r = rows[i];
            Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(t), DateTimeOffset.Parse(r[0], CultureInfo.InvariantCulture));
            Assert.EndsWith("Z", r[0], StringComparison.Ordinal);
            Assert.Equal(t, long.Parse(r[1], CultureInfo.InvariantCulture));
            Assert.Equal((metric, unit), (r[2], r[3]));
            Assert.Equal(value, double.Parse(r[4], CultureInfo.InvariantCulture)); // shortest round-trip text: exact
            Assert.Equal((value, value), (double.Parse(r[5], CultureInfo.InvariantCulture), double.Parse(r[6], CultureInfo.InvariantCulture)));
            Assert.Equal(("1", "0"), (r[7], r[8]));
        }

        Assert.Equal("seconds", rows.First(r => r[2] == "dotnet.gc.pause.time")[3]);
    }

    [Fact]
    public void Csv_filters_by_metric_and_by_an_inclusive_range()
    {
        using var reader = RecordingReader.Open(_path);
        var rows = Csv(reader, T0 + 10_000, T0 + 19_000, ["process.memory.rss", "no.such.metric"]);
        Assert.Equal(Enumerable.Range(10, 10).Select(i => (T0 + (i * 1000L)).ToString(CultureInfo.InvariantCulture)), rows.Select(r => r[1]));
        Assert.All(rows, r => Assert.Equal("process.memory.rss", r[2]));
        Assert.Empty(Csv(reader, T0 + 200_000, T0 + 300_000, null));
    }

    [Fact]
    public void Json_holds_facts_range_series_and_the_original_events()
    {
        using var reader = RecordingReader.Open(_path);
        using var doc = Json(reader, long.MinValue, long.MaxValue, null);
        var root = doc.RootElement;
        var facts = root.GetProperty("facts").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!);
        Assert.Equal(reader.Facts.OrderBy(f => f.Key), facts.OrderBy(f => f.Key));
        Assert.Equal("ünïcødé, \"x\"", facts["note"]);
        Assert.Equal((reader.FirstMs, reader.LastMs), (root.GetProperty("from").GetInt64(), root.GetProperty("to").GetInt64()));

        var series = root.GetProperty("series").EnumerateArray().ToList();
        Assert.Equal(reader.Series.Select(s => (s.Metric, s.Unit)), series.Select(s => (s.GetProperty("metric").GetString()!, s.GetProperty("unit").GetString()!)));
        foreach (var s in series)
        {
            var expected = reader.ReadSeries(s.GetProperty("metric").GetString()!, long.MinValue, long.MaxValue).ToList();
            var points = s.GetProperty("points").EnumerateArray().Select(p => p.EnumerateArray().ToArray()).ToList();
            Assert.Equal(expected.Count, points.Count);
            for (int i = 0; i < points.Count; i++)
            {
                var p = points[i];
                Assert.Equal(expected[i], new RecordedPoint(p[0].GetInt64(), p[5].GetInt64(), p[1].GetDouble(), p[2].GetDouble(), p[3].GetDouble(), p[4].GetInt64()));
            }
        }

        Assert.Equal(_events.Select(TestEvents.Json), root.GetProperty("events").EnumerateArray().Select(e => e.GetRawText()));
    }

    [Fact]
    public void Json_filters_series_and_events_by_range()
    {
        using var reader = RecordingReader.Open(_path);
        using var doc = Json(reader, T0 + 40_000, T0 + 95_000, ["process.threads"]);
        var root = doc.RootElement;
        Assert.Equal((T0 + 40_000, T0 + 95_000), (root.GetProperty("from").GetInt64(), root.GetProperty("to").GetInt64()));
        var series = Assert.Single(root.GetProperty("series").EnumerateArray());
        Assert.Equal("process.threads", series.GetProperty("metric").GetString());
        Assert.Equal(56, series.GetProperty("points").GetArrayLength());
        Assert.Equal([_events[1], _events[2]], root.GetProperty("events").EnumerateArray().Select(e => _events.Single(o => TestEvents.Json(o) == e.GetRawText())));

        using var empty = Json(reader, T0 - 10_000, T0 - 1, null);
        Assert.Equal(JsonValueKind.Null, empty.RootElement.GetProperty("from").ValueKind);
        Assert.All(empty.RootElement.GetProperty("series").EnumerateArray(), s => Assert.Equal(0, s.GetProperty("points").GetArrayLength()));
    }

    [Fact]
    public void Exports_of_downsampled_data_carry_span_count_min_and_max()
    {
        string path = _dir.File("buckets.memlens");
        var store = new MetricStore();
        var data = new MemLens.Tests.Storage.RealisticData(5);
        using (var recorder = Recorder.Start(store, path, new Dictionary<string, string>(), new RecorderOptions { MaxBytes = 1L << 20, FlushInterval = TimeSpan.FromHours(1) }))
        {
            for (int i = 0; i < 12; i++)
            {
                data.Fill(store.Append, 1800);
                recorder.Flush();
            }
        }

        using var reader = RecordingReader.Open(path);
        var rows = Csv(reader, long.MinValue, long.MaxValue, ["process.memory.rss"]);
        var buckets = rows.Where(r => r[8] != "0").ToList();
        Assert.NotEmpty(buckets);
        Assert.All(buckets, r =>
        {
            Assert.Contains(r[8], (string[])["60000", "3600000"]);
            Assert.True(long.Parse(r[7], CultureInfo.InvariantCulture) > 1);
            Assert.True(double.Parse(r[5], CultureInfo.InvariantCulture) <= double.Parse(r[4], CultureInfo.InvariantCulture));
            Assert.True(double.Parse(r[4], CultureInfo.InvariantCulture) <= double.Parse(r[6], CultureInfo.InvariantCulture));
        });
        Assert.Equal(12 * 1800, rows.Sum(r => long.Parse(r[7], CultureInfo.InvariantCulture)));
    }

    private static List<string[]> Csv(RecordingReader reader, long from, long to, IReadOnlyCollection<string>? metrics)
    {
        using var text = new StringWriter(CultureInfo.InvariantCulture);
        RecordingExport.WriteCsv(reader, text, from, to, metrics);
        var lines = text.ToString().Split('\n');
        Assert.Equal(RecordingExport.CsvHeader, lines[0]);
        Assert.Equal("", lines[^1]);
        return [.. lines[1..^1].Select(l => l.Split(','))];
    }

    private static JsonDocument Json(RecordingReader reader, long from, long to, IReadOnlyCollection<string>? metrics)
    {
        using var stream = new MemoryStream();
        RecordingExport.WriteJson(reader, stream, from, to, metrics);
        return JsonDocument.Parse(Encoding.UTF8.GetString(stream.ToArray()));
    }
}
