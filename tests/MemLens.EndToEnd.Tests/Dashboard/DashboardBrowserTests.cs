using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using Xunit;
using Xunit.Abstractions;

namespace MemLens.EndToEnd.Tests.Dashboard;

/// <summary>The real dashboard, served by the demo in-process, in Debian's Chromium.</summary>
[Collection(BrowserCollection.Name)]
public class DashboardBrowserTests(Chromium chromium, DemoDashboard demo, ITestOutputHelper output)
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Charts_render_with_data_from_the_live_demo_and_new_points_arrive()
    {
        using var http = new HttpClient();
        using var catalog = JsonDocument.Parse(await http.GetStringAsync(new Uri(demo.Url, "api/catalog")));
        var page = await OpenAsync();
        foreach (string id in new[] { "process", "virtual", "runtime", "gap" })
        {
            var chart = page.Locator($"[data-chart-id=\"{id}\"]");
            await Assertions.Expect(chart).ToBeVisibleAsync();

            // Drawn with data, not just framed: the canvas has a line's worth of pixels in its series' colours.
            var colours = catalog.RootElement.GetProperty("charts").EnumerateArray().First(c => c.GetProperty("id").GetString() == id)
                .GetProperty("series").EnumerateArray().Select(x => x.GetProperty("color").GetString()!).ToArray();
            string count = $"({CanvasPixels.InColourScript})({JsonSerializer.Serialize(id)}, {JsonSerializer.Serialize(colours)})";
            try
            {
                await page.WaitForFunctionAsync($"() => {count} > 100", null, new() { Timeout = (float)s_wait.TotalMilliseconds });
            }
            catch (TimeoutException)
            {
                Assert.Fail($"chart {id} has {await page.EvaluateAsync<int>($"() => {count}")} pixels in its series' colours {string.Join(", ", colours)}");
            }

            output.WriteLine($"chart {id}: {await page.EvaluateAsync<int>($"() => {count}")} pixels in its series' colours");
        }

        double first = await page.EvaluateAsync<double>("() => window.__memlens.lastSampleTs ?? 0");
        await page.WaitForFunctionAsync($"() => (window.__memlens.lastSampleTs ?? 0) > {first.ToString(CultureInfo.InvariantCulture)}", null, new() { Timeout = (float)s_wait.TotalMilliseconds });

        // Sample-to-pixel latency of the next few live points, reported (the budget is 1.5 s; timings are
        // recorded in docs/benchmarks.md, not asserted).
        var latencies = new List<double>();
        for (int i = 0; i < 5; i++)
        {
            double ts = await page.EvaluateAsync<double>("() => window.__memlens.lastSampleTs");
            await page.WaitForFunctionAsync($"() => window.__memlens.lastSampleTs > {ts.ToString(CultureInfo.InvariantCulture)}", null, new() { Timeout = (float)s_wait.TotalMilliseconds });
            latencies.Add(await page.EvaluateAsync<double>("() => window.__memlens.sampleToPixelMs"));
        }

        output.WriteLine("sample-to-pixel ms: " + string.Join(", ", latencies.Select(l => l.ToString("0", CultureInfo.InvariantCulture))));

        // Hovering shows the hovered point in the legend (off the chart it says "latest"): its time, and RSS as the
        // bucket's mean (min – max). Over an hour a bucket is under a pixel, so first zoom (a drag, as a user does) onto
        // the last half minute: the page loads that range from api/series and keeps it as loaded (a zoom takes no live
        // samples). That answer, as the server sent it, is the reference for what the legend shows.
        var process = page.Locator("[data-chart-id=\"process\"]");
        var timeCell = process.Locator(".u-legend .u-series").Nth(0).Locator(".u-value");
        var rssCell = process.Locator(".u-legend tr.u-series:has(.u-label:text-is('RSS')) .u-value");
        await Assertions.Expect(timeCell).ToHaveTextAsync("latest");
        var over = process.Locator(".u-over");
        var box = (await over.BoundingBoxAsync())!;
        float y = box.Y + (box.Height / 2);
        var zoomAnswer = page.WaitForResponseAsync(r => r.Url.Contains("api/series", StringComparison.Ordinal) && r.Request.Method == "GET", new() { Timeout = (float)s_wait.TotalMilliseconds });
        await page.Mouse.MoveAsync(box.X + (box.Width * 0.99f), y);
        await page.Mouse.DownAsync();
        await page.Mouse.MoveAsync(box.X + (box.Width * 0.999f), y, new() { Steps = 5 });
        await page.Mouse.UpAsync();
        using var zoomed = JsonDocument.Parse(await (await zoomAnswer).TextAsync());
        await page.WaitForFunctionAsync("() => window.__memlens.zoomed === true", null, new() { Timeout = (float)s_wait.TotalMilliseconds });
        await page.Mouse.MoveAsync(box.X + box.Width + 20, y); // off the chart again
        await Assertions.Expect(timeCell).ToHaveTextAsync("latest");

        // The middle bucket of those that hold RSS.
        var answer = zoomed.RootElement;
        var rss = answer.GetProperty("series").GetProperty("process.memory.rss");
        var withRss = Enumerable.Range(0, answer.GetProperty("t").GetArrayLength()).Where(i => rss.GetProperty("v")[i].ValueKind == JsonValueKind.Number).ToList();
        Assert.True(withRss.Count >= 3, $"the zoomed range holds {withRss.Count} RSS buckets");
        int k = withRss[withRss.Count / 2];
        long bucket = answer.GetProperty("t")[k].GetInt64();
        var view = await page.EvaluateAsync<JsonElement>("() => ({ from: window.__memlens.view.from, to: window.__memlens.view.to })");
        double viewFrom = view.GetProperty("from").GetDouble(), viewTo = view.GetProperty("to").GetDouble();
        await page.Mouse.MoveAsync(box.X + (float)(box.Width * (bucket - viewFrom) / (viewTo - viewFrom)), y);
        await Assertions.Expect(timeCell).Not.ToHaveTextAsync("latest");

        string shownTime = await timeCell.InnerTextAsync();
        string shownRss = await rssCell.InnerTextAsync();
        // The browser's own Date turns its local clock text back into Unix ms.
        long second = (long)await page.EvaluateAsync<double>(
            "t => { const [d, h] = t.split(' '); const [y, mo, da] = d.split('-').map(Number); const [hh, mi, ss] = h.split(':').map(Number); return new Date(y, mo - 1, da, hh, mi, ss).getTime(); }",
            shownTime);
        Assert.True(second == bucket / 1000 * 1000, $"hovered {shownTime}, the bucket starts at {DateTimeOffset.FromUnixTimeMilliseconds(bucket):HH:mm:ss.fff} UTC");

        var (mean, low, high) = LegendFigures(shownRss);
        double halfDigit = (0.05 * 1024 * 1024) + 1; // the legend shows MiB to one decimal
        double v = rss.GetProperty("v")[k].GetDouble();
        double min = rss.TryGetProperty("min", out var mins) ? mins[k].GetDouble() : v;
        double max = rss.TryGetProperty("max", out var maxes) ? maxes[k].GetDouble() : v;
        string expected = $"{v / 1048576:0.00} MiB ({min / 1048576:0.00} – {max / 1048576:0.00})";
        Assert.True(Math.Abs(mean - v) <= halfDigit, $"legend at {shownTime}: RSS {shownRss}; api/series: {expected}");
        Assert.True(Math.Abs((low ?? mean) - min) <= halfDigit && Math.Abs((high ?? mean) - max) <= halfDigit, $"legend at {shownTime}: RSS {shownRss}; api/series: {expected}");
        output.WriteLine($"hovered {shownTime}: legend RSS {shownRss}; api/series {expected}");

        string path = Chromium.ScreenshotPath("dashboard-live.png");
        await page.ScreenshotAsync(new() { Path = path, FullPage = true });
        Assert.True(new FileInfo(path).Length > 10_000);
        output.WriteLine("screenshot: " + path);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Dragging_across_a_chart_zooms_every_chart_and_fetches_finer_data()
    {
        var page = await OpenAsync();
        var initial = await LastSeriesRequestAsync(page);
        var over = page.Locator("[data-chart-id=\"process\"] .u-over");
        var box = (await over.BoundingBoxAsync())!;

        var response = page.WaitForResponseAsync(r => r.Url.Contains("api/series", StringComparison.Ordinal) && r.Request.Method == "GET", new() { Timeout = (float)s_wait.TotalMilliseconds });
        await page.Mouse.MoveAsync(box.X + (box.Width * 0.90f), box.Y + (box.Height / 2));
        await page.Mouse.DownAsync();
        await page.Mouse.MoveAsync(box.X + (box.Width * 0.95f), box.Y + (box.Height / 2), new() { Steps = 5 });
        await page.Mouse.MoveAsync(box.X + (box.Width * 0.999f), box.Y + (box.Height / 2), new() { Steps = 5 });
        await page.Mouse.UpAsync();
        var finer = await response;
        using var body = JsonDocument.Parse(await finer.TextAsync());
        var zoomed = await LastSeriesRequestAsync(page);

        Assert.True(zoomed.To - zoomed.From < (initial.To - initial.From) / 5, $"zoomed {zoomed} vs {initial}");
        Assert.True(body.RootElement.GetProperty("step").GetInt64() < initial.Step, "the zoomed range was not fetched at a finer step");
        Assert.True(await page.EvaluateAsync<bool>("() => window.__memlens.zoomed === true"));
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task The_release_button_shows_before_and_after_and_marks_every_chart()
    {
        var page = await OpenAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Release memory" }).ClickAsync();
        var result = page.Locator(".release-result");
        await Assertions.Expect(result).ToBeVisibleAsync(new() { Timeout = (float)s_wait.TotalMilliseconds });
        await Assertions.Expect(result).ToContainTextAsync("RSS");
        await Assertions.Expect(result).ToContainTextAsync("→");
        await Assertions.Expect(result).ToContainTextAsync("GC heap");

        int charts = await page.EvaluateAsync<int>("() => window.__memlens.visibleCharts.length");
        await page.WaitForFunctionAsync(
            "() => (window.__memlens.releaseMarkers ?? 0) >= 1 && window.__memlens.markedCharts >= window.__memlens.visibleCharts.length",
            null, new() { Timeout = (float)s_wait.TotalMilliseconds });
        Assert.True(charts >= 4);
        await page.ScreenshotAsync(new() { Path = Chromium.ScreenshotPath("dashboard-release.png"), FullPage = true });
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task The_help_popover_shows_the_catalog_text()
    {
        using var http = new HttpClient();
        using var catalog = JsonDocument.Parse(await http.GetStringAsync(new Uri(demo.Url, "api/catalog")));
        var process = catalog.RootElement.GetProperty("charts").EnumerateArray().First(c => c.GetProperty("id").GetString() == "process");
        string chartHelp = process.GetProperty("help").GetString()!;
        string rssHelp = process.GetProperty("series")[0].GetProperty("help").GetString()!;

        var page = await OpenAsync();
        var chart = page.Locator("[data-chart-id=\"process\"]");
        await chart.Locator(".help-button").ClickAsync();
        var popover = chart.Locator(".help-popover");
        await Assertions.Expect(popover).ToBeVisibleAsync();
        await Assertions.Expect(popover).ToContainTextAsync(chartHelp[..60]);
        await Assertions.Expect(popover).ToContainTextAsync(rssHelp[..60]);
        await page.Context.CloseAsync();
    }

    private async Task<IPage> OpenAsync()
    {
        var page = await chromium.NewPageAsync();
        var errors = new List<string>();
        page.PageError += (_, e) => errors.Add(e);
        await page.GotoAsync(demo.Url.ToString());
        try
        {
            await page.WaitForSelectorAsync("body[data-ready=\"1\"]", new() { Timeout = (float)s_wait.TotalMilliseconds });
        }
        catch (TimeoutException)
        {
            throw new InvalidOperationException("the dashboard never became ready; page errors: " + string.Join(" | ", errors));
        }

        Assert.Empty(errors);
        return page;
    }

    private static async Task<SeriesRequest> LastSeriesRequestAsync(IPage page)
    {
        string query = await page.EvaluateAsync<string>("() => String(window.__memlens.lastSeriesRequest)");
        var parts = query.TrimStart('?').Split('&').Select(p => p.Split('=', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0], p => Uri.UnescapeDataString(p[1]));
        long from = long.Parse(parts["from"], CultureInfo.InvariantCulture);
        long to = long.Parse(parts["to"], CultureInfo.InvariantCulture);
        int points = int.Parse(parts["points"], CultureInfo.InvariantCulture);
        long step = Math.Max((to - from + points) / points, 1000);
        return new SeriesRequest(from, to, step);
    }

    /// <summary>The figures of a legend value, "412.3 MiB" or "412.3 MiB (410.0 MiB – 414.1 MiB)", in bytes.</summary>
    private static (double Mean, double? Low, double? High) LegendFigures(string text)
    {
        var sizes = System.Text.RegularExpressions.Regex.Matches(text, @"([\d.,]+) (B|KiB|MiB|GiB)")
            .Select(m => double.Parse(m.Groups[1].Value.Replace(",", "", StringComparison.Ordinal), CultureInfo.InvariantCulture)
                         * Math.Pow(1024, Array.IndexOf(["B", "KiB", "MiB", "GiB"], m.Groups[2].Value)))
            .ToArray();
        Assert.True(sizes.Length is 1 or 3, $"legend value '{text}'");
        return sizes.Length == 3 ? (sizes[0], sizes[1], sizes[2]) : (sizes[0], null, null);
    }

    private sealed record SeriesRequest(long From, long To, long Step);
}
