using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using MemLens.Events;
using MemLens.Metrics;
using MemLens.Storage;
using Microsoft.AspNetCore.Builder;
using Xunit;
using Xunit.Abstractions;

namespace MemLens.AspNetCore.Tests;

/// <summary>The self-contained HTML report (DashboardReport): one file, nothing loaded from anywhere, its data intact.</summary>
public partial class ReportTests(ITestOutputHelper output)
{
    private const long T0 = 1_763_800_000_000;

    /// <summary>The bound stated in docs/report.md for a week of 1 Hz data of ~30 series with the default options.</summary>
    private const long WeekBoundBytes = 3_000_000;

    [Fact]
    public void The_report_is_one_file_that_loads_nothing_from_anywhere()
    {
        using var monitor = Monitor(Hour(), facts: new() { ["target.command_line"] = "dotnet Shop.dll --urls http://*:8080" });
        string html = Write(monitor);

        // The data block is inert JSON (a command line may well hold a URL); everything else must not name one.
        string page = DataBlock().Replace(html, "");
        Assert.DoesNotContain("http://", page, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("https://", page, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("//cdn", page, StringComparison.OrdinalIgnoreCase);
        // No element or rule that loads anything: no external script, stylesheet, image, frame, font or import.
        Assert.DoesNotMatch(new Regex(@"<(link|img|iframe|embed|object|source|video|audio)\b", RegexOptions.IgnoreCase), page);
        Assert.DoesNotMatch(new Regex(@"<script\b[^>]*\bsrc\s*=", RegexOptions.IgnoreCase), page);
        string css = Regex.Match(page, "<style>(.*?)</style>", RegexOptions.Singleline).Groups[1].Value;
        Assert.True(css.Length > 1000, "the stylesheet is not inlined");
        Assert.DoesNotContain("@import", css, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("url(", css, StringComparison.OrdinalIgnoreCase);
        // The page's own script and stylesheet are in it.
        Assert.Contains("uplot", page, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("<meta charset=\"utf-8\">", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_embedded_data_round_trips_in_the_api_s_shapes()
    {
        var store = Hour();
        store.AddEvent(new GcEvent(T0 + 120_000, 7) { Generation = 2, HasDetails = true, Pause = TimeSpan.FromMilliseconds(3) });
        store.AddEvent(new NoteEvent(T0 + 3_600_500, "process.exit", "process 4242 exited (code 0)"));
        using var monitor = Monitor(store, facts: new() { ["target.runtime"] = "dotnet", ["env.MALLOC_ARENA_MAX"] = "2 → µ" });
        long generated = T0 + 7_200_000;
        using var stream = new MemoryStream();
        DashboardReport.Write(stream, monitor, new ReportOptions { Title = "Shop on web-3" }, generated);
        var data = EmbeddedData(Encoding.UTF8.GetString(stream.ToArray()));

        // The references are the live API over the same monitor, asked over HTTP for the report's range, and the values
        // this test put in the store — not the report's own writer.
        await using (var app = await DashboardApp.StartAsync(map: a => a.MapMemLens("/m", monitor)))
        {
            var embedded = data.GetProperty("series");
            string ids = string.Join(',', embedded.GetProperty("series").EnumerateObject().Select(p => p.Name));
            var api = await Json.GetAsync(app.Client, $"/m/api/series?from={T0}&to={T0 + 3_599_000}&points={new ReportOptions().MaxPointsPerSeries}&ids={Uri.EscapeDataString(ids)}");
            Assert.True(JsonElement.DeepEquals(api, embedded), "the embedded series differ from api/series over the same range");

            var apiEvents = (await Json.GetAsync(app.Client, $"/m/api/events?from={T0}&to={T0 + 3_600_500}")).GetProperty("events").EnumerateArray().ToArray();
            var kept = data.GetProperty("events").GetProperty("events").EnumerateArray().ToArray();
            Assert.Equal(apiEvents.Length, kept.Length);
            for (int i = 0; i < kept.Length; i++)
            {
                // A GC is kept as a summary: each of its fields as api/events has it.
                Assert.All(kept[i].EnumerateObject(), p => Assert.True(JsonElement.DeepEquals(p.Value, apiEvents[i].GetProperty(p.Name)), $"event {i}: {p.Name}"));
            }
        }

        // Each bucket's mean, min and max, computed here from the samples Hour() stored.
        var t = data.GetProperty("series").GetProperty("t").EnumerateArray().Select(x => x.GetInt64()).ToArray();
        long step = data.GetProperty("series").GetProperty("step").GetInt64();
        var rss = data.GetProperty("series").GetProperty("series").GetProperty("process.memory.rss");
        for (int k = 0; k < t.Length; k++)
        {
            var inBucket = Enumerable.Range(0, 3600).Where(i => T0 + (i * 1000L) >= t[k] && T0 + (i * 1000L) < t[k] + step).Select(i => 200e6 + (i * 4096)).ToArray();
            Assert.NotEmpty(inBucket);
            Assert.Equal(inBucket.Average(), rss.GetProperty("v")[k].GetDouble(), 3);
            Assert.Equal(inBucket.Min(), rss.GetProperty("min")[k].GetDouble(), 3);
            Assert.Equal(inBucket.Max(), rss.GetProperty("max")[k].GetDouble(), 3);
        }

        Assert.Equal(3600, t.Sum(tk => Enumerable.Range(0, 3600).Count(i => T0 + (i * 1000L) >= tk && T0 + (i * 1000L) < tk + step)));

        Assert.Equal(generated, data.GetProperty("generatedTs").GetInt64());
        Assert.Equal(T0, data.GetProperty("from").GetInt64());
        Assert.Equal(T0 + 3_600_500, data.GetProperty("to").GetInt64()); // widened to the exit
        var catalog = data.GetProperty("catalog");
        Assert.Equal("Shop on web-3", catalog.GetProperty("title").GetString());
        Assert.False(catalog.GetProperty("live").GetBoolean());
        Assert.Equal(0, catalog.GetProperty("actions").GetArrayLength());
        Assert.Equal("2 → µ", catalog.GetProperty("facts").GetProperty("env.MALLOC_ARENA_MAX").GetString());
        Assert.True(catalog.GetProperty("charts").GetArrayLength() > 5);

        var series = data.GetProperty("series");
        Assert.InRange(series.GetProperty("t").GetArrayLength(), 2, 2000);
        Assert.True(series.GetProperty("series").TryGetProperty("process.memory.rss", out _));
        Assert.False(series.GetProperty("series").TryGetProperty("go.memstats.sys", out _)); // no data, not sent

        var events = data.GetProperty("events");
        Assert.Equal(2, events.GetProperty("events").GetArrayLength());
        Assert.False(events.GetProperty("truncated").GetBoolean());
        Assert.Equal("process 4242 exited (code 0)", events.GetProperty("events")[1].GetProperty("description").GetString());

        var findings = data.GetProperty("findings");
        Assert.NotEmpty(findings.GetProperty("findings").EnumerateArray());
        Assert.Equal(JsonValueKind.Object, data.GetProperty("status").ValueKind);

        // The page's title says what the report is about.
        Assert.Matches("<title>MemLens (·|&#183;) Shop on web-3</title>", Encoding.UTF8.GetString(stream.ToArray()));
    }

    [Fact]
    public void Script_end_tags_in_facts_messages_and_titles_cannot_break_out_of_the_data()
    {
        const string Hostile = "</script><script>alert(1)</script><!-- <SCRIPT>";
        var store = Hour();
        store.AddEvent(new NoteEvent(T0 + 1000, "note", "</SCRIPT >" + Hostile));
        using var monitor = Monitor(store, facts: new() { ["target.command_line"] = "sh -c 'echo " + Hostile + "'", [Hostile] = Hostile });
        string html = Write(monitor, new ReportOptions { Title = "t</title></script>" + Hostile });

        // Three scripts and three only: the preboot script, the data, the app. No text of the data ends an element.
        Assert.Equal(3, Regex.Count(html, "</script", RegexOptions.IgnoreCase));
        Assert.Equal(3, Regex.Count(html, "<script", RegexOptions.IgnoreCase));
        Assert.DoesNotContain("<!-- <SCRIPT>", html, StringComparison.Ordinal);
        Assert.Equal(1, Regex.Count(html, "</title>", RegexOptions.IgnoreCase));

        var data = EmbeddedData(html);
        Assert.Equal("sh -c 'echo " + Hostile + "'", data.GetProperty("catalog").GetProperty("facts").GetProperty("target.command_line").GetString());
        Assert.Equal(Hostile, data.GetProperty("catalog").GetProperty("facts").GetProperty(Hostile).GetString());
        Assert.Equal("</SCRIPT >" + Hostile, data.GetProperty("events").GetProperty("events")[0].GetProperty("description").GetString());
        Assert.Equal("t</title></script>" + Hostile, data.GetProperty("catalog").GetProperty("title").GetString());
    }

    [Fact]
    public void Events_beyond_the_limit_keep_everything_but_gcs_first_and_say_how_many_there_were()
    {
        var store = Hour();
        for (int i = 0; i < 300; i++)
        {
            store.AddEvent(new GcEvent(T0 + (i * 10_000L), i + 1) { Generation = i == 100 ? 2 : 0 });
        }

        store.AddEvent(new NoteEvent(T0 + 5, "action.note", "a note"));
        using var monitor = Monitor(store);
        var events = EmbeddedData(Write(monitor, new ReportOptions { MaxEvents = 10 })).GetProperty("events");
        Assert.True(events.GetProperty("truncated").GetBoolean());
        Assert.Equal(301, events.GetProperty("total").GetInt32());
        var kept = events.GetProperty("events").EnumerateArray().ToArray();
        Assert.Equal(10, kept.Length);
        Assert.Contains(kept, e => e.GetProperty("type").GetString() == "action.note");
        Assert.Contains(kept, e => e.TryGetProperty("generation", out var g) && g.GetInt32() == 2);
        Assert.Equal(kept.Select(e => e.GetProperty("ts").GetInt64()).Order(), kept.Select(e => e.GetProperty("ts").GetInt64()));
    }

    [Fact]
    public void An_empty_store_still_makes_a_report()
    {
        using var monitor = Monitor(new MetricStore());
        var data = EmbeddedData(Write(monitor));
        Assert.Equal(0, data.GetProperty("series").GetProperty("t").GetArrayLength());
        Assert.Equal(data.GetProperty("from").GetInt64(), data.GetProperty("to").GetInt64());
    }

    [Fact]
    public void Options_out_of_range_are_refused()
    {
        using var monitor = Monitor(new MetricStore());
        Assert.Throws<ArgumentOutOfRangeException>(() => DashboardReport.Write(Stream.Null, monitor, new ReportOptions { MaxPointsPerSeries = 5 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => DashboardReport.Write(Stream.Null, monitor, new ReportOptions { MaxEvents = -1 }));
    }

    [Fact]
    public void A_week_of_1_Hz_data_of_30_series_stays_under_the_stated_bound()
    {
        var fill = Stopwatch.StartNew();
        var store = WeekOfHistory.Create(T0);
        fill.Stop();
        using var monitor = Monitor(store, facts: new() { ["target.command_line"] = "dotnet Shop.dll", ["target.runtime"] = "dotnet" });
        var write = Stopwatch.StartNew();
        using var stream = new MemoryStream();
        DashboardReport.Write(stream, monitor);
        write.Stop();
        long size = stream.Length;
        var data = EmbeddedData(Encoding.UTF8.GetString(stream.ToArray()));
        int series = data.GetProperty("series").GetProperty("series").EnumerateObject().Count();
        int points = data.GetProperty("series").GetProperty("t").GetArrayLength();
        int events = data.GetProperty("events").GetProperty("events").GetArrayLength();
        long dataBytes = DataBlock().Match(Encoding.UTF8.GetString(stream.ToArray())).Groups[1].Length;
        int seriesBytes = data.GetProperty("series").GetRawText().Length;
        int eventBytes = data.GetProperty("events").GetRawText().Length;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"week of 1 Hz, {store.Metrics.Count} metrics ({series} charted series with derived ones), {data.GetProperty("events").GetProperty("total").GetInt32()} events: " +
            $"report {size / 1e6:0.00} MB ({dataBytes / 1e6:0.00} MB of data: series {seriesBytes / 1e6:0.00} MB, events {eventBytes / 1e6:0.00} MB), " +
            $"{points} points per series, {events} events kept; filled in {fill.Elapsed.TotalSeconds:0.0} s, written in {write.ElapsedMilliseconds} ms"));

        Assert.True(store.Metrics.Count >= 30);
        Assert.InRange(points, 1500, 2000);
        Assert.Equal(5000, events);
        Assert.InRange(size, 1, WeekBoundBytes);
    }

    private static MemLensMonitor Monitor(MetricStore store, Dictionary<string, string>? facts = null)
    {
        var monitor = new MemLensMonitor(store, [], new MemLensTarget(4242, "shop", "dotnet", false), new MemLensOptions()) { Live = false };
        if (facts is not null)
        {
            monitor.Facts = facts;
        }

        return monitor;
    }

    /// <summary>An hour of RSS and GC heap at 1 Hz from T0.</summary>
    private static MetricStore Hour()
    {
        var store = new MetricStore();
        for (int i = 0; i < 3600; i++)
        {
            long ts = T0 + (i * 1000L);
            store.Append(MetricCatalog.ProcessRss, ts, 200e6 + (i * 4096));
            store.Append(MetricCatalog.GcHeapSize, ts, 50e6 + (i % 60 * 1e6));
            store.Append(MetricCatalog.GcCommitted, ts, 80e6);
        }

        return store;
    }

    private static string Write(MemLensMonitor monitor, ReportOptions? options = null)
    {
        using var stream = new MemoryStream();
        DashboardReport.Write(stream, monitor, options);
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>The text of the data block as the HTML parser delimits it (up to the first "&lt;/script"), parsed.</summary>
    private static JsonElement EmbeddedData(string html)
    {
        var m = DataBlock().Match(html);
        Assert.True(m.Success, "no data block");
        using var doc = JsonDocument.Parse(m.Groups[1].Value);
        return doc.RootElement.Clone();
    }

    [GeneratedRegex("<script type=\"application/json\" id=\"memlens-report\">(.*?)</script", RegexOptions.Singleline | RegexOptions.IgnoreCase)]
    private static partial Regex DataBlock();
}
