using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using MemLens.Events;
using Xunit;

namespace MemLens.AspNetCore.Tests;

/// <summary>Every route of docs/dashboard-api.md on a real app (TestServer) monitoring this test process.</summary>
public class EndpointTests
{
    private const string Base = "/debug/memlens/";

    [Fact]
    public async Task The_base_path_without_a_slash_redirects_to_the_page()
    {
        await using var app = await DashboardApp.StartAsync();
        using var response = await app.Client.GetAsync("/debug/memlens?x=1");
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/debug/memlens/?x=1", response.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task The_page_and_its_assets_are_served_from_the_assembly_with_etags_and_compression()
    {
        await using var app = await DashboardApp.StartAsync();
        using var page = await app.Client.GetAsync(Base);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType!.MediaType);
        string html = await page.Content.ReadAsStringAsync();
        Assert.Contains("app.js", html, StringComparison.Ordinal);
        Assert.DoesNotContain("http://", html, StringComparison.Ordinal); // no CDN: works offline
        Assert.DoesNotContain("https://", html, StringComparison.Ordinal);

        using var script = await app.Client.GetAsync(Base + "app.js");
        Assert.Equal(HttpStatusCode.OK, script.StatusCode);
        Assert.Equal("text/javascript", script.Content.Headers.ContentType!.MediaType);
        var etag = script.Headers.ETag;
        Assert.NotNull(etag);

        using var again = new HttpRequestMessage(HttpMethod.Get, Base + "app.js");
        again.Headers.IfNoneMatch.Add(etag!);
        using var notModified = await app.Client.SendAsync(again);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);

        using var compressed = new HttpRequestMessage(HttpMethod.Get, Base + "app.js");
        compressed.Headers.AcceptEncoding.Add(new StringWithQualityHeaderValue("br"));
        using var br = await app.Client.SendAsync(compressed);
        Assert.Equal("br", Assert.Single(br.Content.Headers.ContentEncoding));
        Assert.True(br.Content.Headers.ContentLength < script.Content.Headers.ContentLength);

        using var css = await app.Client.GetAsync(Base + "app.css");
        Assert.Equal("text/css", css.Content.Headers.ContentType!.MediaType);
    }

    [Fact]
    public async Task The_catalog_defines_charts_whose_series_all_resolve_and_carry_help()
    {
        await using var app = await DashboardApp.StartAsync();
        var catalog = await Json.GetAsync(app.Client, Base + "api/catalog");
        var metrics = catalog.GetProperty("metrics");
        Assert.Equal(Environment.ProcessId, catalog.GetProperty("target").GetProperty("pid").GetInt32());
        Assert.True(catalog.GetProperty("target").GetProperty("inProcess").GetBoolean());
        Assert.Equal(0, catalog.GetProperty("actions").GetArrayLength()); // actions are off by default
        Assert.False(string.IsNullOrWhiteSpace(metrics.GetProperty("process.memory.rss").GetProperty("help").GetString()));

        var charts = catalog.GetProperty("charts").EnumerateArray().ToDictionary(c => c.GetProperty("id").GetString()!);
        Assert.Contains("process", charts.Keys);
        Assert.Contains("virtual", charts.Keys);
        Assert.Contains("runtime", charts.Keys);
        Assert.Contains("gap", charts.Keys);
        Assert.Contains("gc-pauses", charts.Keys);
        Assert.Contains("allocation", charts.Keys);
        Assert.Contains("container", charts.Keys);

        // VSZ must not share an axis with RSS and the rest: it has its own chart.
        var processSeries = charts["process"].GetProperty("series").EnumerateArray().Select(s => s.GetProperty("id").GetString()).ToList();
        Assert.Contains("process.memory.rss", processSeries);
        Assert.DoesNotContain("process.memory.virtual", processSeries);

        foreach (var chart in charts.Values)
        {
            Assert.False(string.IsNullOrWhiteSpace(chart.GetProperty("help").GetString()));
            foreach (var s in chart.GetProperty("series").EnumerateArray())
            {
                string id = s.GetProperty("id").GetString()!;
                bool known = metrics.TryGetProperty(id, out _) || id is "derived.gap" or "derived.go.idle_kept" or "derived.go.retained" ||
                             (id.StartsWith("rate:", StringComparison.Ordinal) && metrics.TryGetProperty(id[5..], out _));
                Assert.True(known, $"series {id} of chart {chart.GetProperty("id")} is not in the catalog");
                Assert.False(string.IsNullOrWhiteSpace(s.GetProperty("help").GetString()));
                Assert.Matches("^#[0-9a-f]{6}$", s.GetProperty("color").GetString()!);
            }
        }
    }

    [Fact]
    public async Task Series_carry_this_process_rss_as_proc_reports_it()
    {
        await using var app = await DashboardApp.StartAsync();
        app.Monitor.SampleNow();
        long before = ReadRss();
        var series = await Json.GetAsync(app.Client, Base + "api/series?ids=process.memory.rss,process.memory.virtual&points=100");
        long after = ReadRss();
        var t = series.GetProperty("t");
        Assert.True(t.GetArrayLength() >= 1);
        var rss = series.GetProperty("series").GetProperty("process.memory.rss").GetProperty("v");
        Assert.Equal(t.GetArrayLength(), rss.GetArrayLength());
        double latest = rss.EnumerateArray().Last(v => v.ValueKind == JsonValueKind.Number).GetDouble();
        // The newest point is within the range the process moved through while the test ran (±10 %: the
        // store keeps the value of the sample, taken a moment before).
        Assert.InRange(latest, Math.Min(before, after) * 0.9, Math.Max(before, after) * 1.1);
        Assert.True(series.GetProperty("series").TryGetProperty("process.memory.virtual", out _));
        Assert.False(series.GetProperty("series").TryGetProperty("process.memory.pss", out _)); // only what was asked
    }

    [Theory]
    [InlineData("api/series?from=abc", "'from'")]
    [InlineData("api/series?to=1&from=2", "'from' must not be after 'to'")]
    [InlineData("api/series?points=many", "'points'")]
    [InlineData("api/series?ids=process.memory.rss,no.such.metric", "no.such.metric")]
    [InlineData("api/events?max=0", "'max'")]
    public async Task Bad_query_parameters_get_400_with_a_message(string url, string expected)
    {
        await using var app = await DashboardApp.StartAsync();
        using var response = await app.Client.GetAsync(Base + url);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var body = await Json.ReadAsync(response);
        Assert.Contains(expected, body.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Events_in_range_are_returned_with_unix_ms_and_a_description()
    {
        await using var app = await DashboardApp.StartAsync();
        long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        app.Monitor.RecordEvent(new NoteEvent(now - 10_000, "note", "ten seconds ago"));
        app.Monitor.RecordEvent(new NoteEvent(now, "note", "now"));
        var body = await Json.GetAsync(app.Client, $"{Base}api/events?from={now - 5000}&to={now + 1000}");
        var notes = body.GetProperty("events").EnumerateArray().Where(e => e.GetProperty("type").GetString() == "note").ToList();
        var only = Assert.Single(notes);
        Assert.Equal(now, only.GetProperty("ts").GetInt64());
        Assert.Equal("now", only.GetProperty("description").GetString());
        Assert.False(body.GetProperty("truncated").GetBoolean());

        var cut = await Json.GetAsync(app.Client, $"{Base}api/events?from={now - 20_000}&to={now + 1000}&max=1");
        Assert.Equal("now", Assert.Single(cut.GetProperty("events").EnumerateArray()).GetProperty("description").GetString());
        Assert.True(cut.GetProperty("truncated").GetBoolean());
    }

    [Fact]
    public async Task When_events_must_be_cut_releases_and_full_gcs_are_kept_before_gen0s()
    {
        await using var app = await DashboardApp.StartAsync();
        long t0 = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - 100_000;
        for (int i = 0; i < 50; i++)
        {
            app.Monitor.RecordEvent(new GcEvent(t0 + (i * 1000), 1000 + i) { Generation = i == 10 ? 2 : 0 });
        }

        app.Monitor.RecordEvent(new NoteEvent(t0 + 5500, "note", "old note"));
        var body = await Json.GetAsync(app.Client, $"{Base}api/events?from={t0}&to={t0 + 60_000}&max=3");
        var kept = body.GetProperty("events").EnumerateArray().ToArray();
        Assert.True(body.GetProperty("truncated").GetBoolean());
        Assert.Equal(3, kept.Length);
        Assert.Equal("old note", kept[0].GetProperty("description").GetString());
        Assert.Equal(1010, kept[1].GetProperty("index").GetInt64()); // the gen2
        Assert.Equal(1049, kept[2].GetProperty("index").GetInt64()); // the newest gen0
    }

    [Fact]
    public async Task Status_lists_each_source_with_its_state()
    {
        await using var app = await DashboardApp.StartAsync();
        app.Monitor.SampleNow();
        var status = await Json.GetAsync(app.Client, Base + "api/status");
        var sources = status.GetProperty("sources").EnumerateArray().ToDictionary(s => s.GetProperty("name").GetString()!);
        Assert.Contains("procfs", sources.Keys);
        Assert.Contains("dotnet.gc", sources.Keys);
        Assert.Equal("ok", sources["procfs"].GetProperty("state").GetString());
        Assert.True(status.GetProperty("store").GetProperty("bytes").GetInt64() > 0);
        Assert.Equal(8L * 1024 * 1024, status.GetProperty("store").GetProperty("budgetBytes").GetInt64());
        Assert.Equal(0, status.GetProperty("stream").GetProperty("clients").GetInt32());
    }

    [Fact]
    public async Task Release_is_refused_when_actions_are_disabled_and_is_post_only()
    {
        await using var app = await DashboardApp.StartAsync();
        using var post = await app.Client.PostAsync(Base + "api/actions/release", null);
        Assert.Equal(HttpStatusCode.Forbidden, post.StatusCode);
        Assert.Contains("EnableActions", (await Json.ReadAsync(post)).GetProperty("error").GetString(), StringComparison.Ordinal);

        await using var enabled = await DashboardApp.StartAsync(o => o.EnableActions = true);
        using var get = await enabled.Client.GetAsync(Base + "api/actions/release");
        Assert.Equal(HttpStatusCode.MethodNotAllowed, get.StatusCode);
    }

    [Fact]
    public async Task Release_runs_a_full_gc_reports_before_and_after_and_records_an_event()
    {
        await using var app = await DashboardApp.StartAsync(o => o.EnableActions = true);
        var catalog = await Json.GetAsync(app.Client, Base + "api/catalog");
        Assert.Equal("release", Assert.Single(catalog.GetProperty("actions").EnumerateArray()).GetProperty("id").GetString());

        int gen2Before = GC.CollectionCount(2);
        long indexBefore = GC.GetGCMemoryInfo(GCKind.Any).Index;
        using var response = await app.Client.PostAsync(Base + "api/actions/release", null);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var result = await Json.ReadAsync(response);
        Assert.True(GC.CollectionCount(2) > gen2Before);
        Assert.True(result.GetProperty("gcIndex").GetInt64() > indexBefore);
        foreach (string part in new[] { "before", "after" })
        {
            var figures = result.GetProperty(part);
            Assert.True(figures.GetProperty("rss").GetInt64() > 0);
            Assert.True(figures.GetProperty("pss").GetInt64() > 0);
            Assert.True(figures.GetProperty("gcHeap").GetInt64() > 0, result.ToString());
        }

        Assert.Equal("called", result.GetProperty("mallocTrim").GetString()); // Debian is glibc
        long ts = result.GetProperty("ts").GetInt64();
        var events = await Json.GetAsync(app.Client, $"{Base}api/events?from={ts}&to={ts}");
        var release = Assert.Single(events.GetProperty("events").EnumerateArray(), e => e.GetProperty("type").GetString() == "action.release");
        Assert.Equal(result.GetProperty("after").GetProperty("rss").GetInt64(), release.GetProperty("result").GetProperty("after").GetProperty("rss").GetInt64());
        Assert.StartsWith("Release memory: RSS", release.GetProperty("description").GetString(), StringComparison.Ordinal);
    }

    /// <summary>
    /// The kernel's VmRSS, read with a plain split of /proc/self/status: an independent reference, not MemLens's
    /// own parsers (which produce the figure under test).
    /// </summary>
    private static long ReadRss() => ProbeTests.RssReference.VmRssBytes();
}
