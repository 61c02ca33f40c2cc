using System.Text.Json;
using MemLens.AspNetCore;
using MemLens.Events;
using MemLens.Metrics;
using MemLens.Storage;
using Microsoft.Playwright;
using Xunit;
using Xunit.Abstractions;

namespace MemLens.EndToEnd.Tests.Dashboard;

/// <summary>The findings panel and the "About this process" block, on a live dashboard and on a served recording.</summary>
[Collection(BrowserCollection.Name)]
public class FindingsBrowserTests(Chromium chromium, DemoDashboard demo, ITestOutputHelper output)
{
    [Fact]
    public async Task A_live_dashboard_shows_the_findings_of_the_range_shown_and_no_events_list()
    {
        var page = await chromium.NewPageAsync();
        var findings = page.WaitForResponseAsync(r => r.Url.Contains("api/findings", StringComparison.Ordinal), new() { Timeout = 20_000 });
        await page.GotoAsync(demo.Url.ToString());
        await page.WaitForSelectorAsync("body[data-ready=\"1\"]", new() { Timeout = 20_000 });
        var response = await findings;
        Assert.True(response.Ok);
        Assert.Contains("from=", response.Url, StringComparison.Ordinal);
        await page.WaitForFunctionAsync("() => (window.__memlens.findingsLoads ?? 0) >= 1", null, new() { Timeout = 20_000 });

        Assert.True(await page.EvaluateAsync<bool>("() => window.__memlens.live === true && window.__memlens.report === false"));
        Assert.NotEmpty(await page.EvaluateAsync<string[]>("() => window.__memlens.findings"));
        await Assertions.Expect(page.Locator("#findings-panel")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator(".findings-scope")).ToContainTextAsync("range shown");
        await Assertions.Expect(page.Locator(".conn-state")).ToHaveTextAsync("Live", new() { Timeout = 20_000 });
        Assert.False(await page.Locator("#timeline").IsVisibleAsync());

        // Collapsible: the summary line folds it away.
        await page.Locator("#findings-panel > summary").ClickAsync();
        Assert.False(await page.Locator(".findings-list").IsVisibleAsync());
        await page.Locator("#findings-panel > summary").ClickAsync();

        // A new range asks again.
        int loads = await page.EvaluateAsync<int>("() => window.__memlens.findingsLoads");
        await page.Locator(".presets button[data-range=\"5m\"]").ClickAsync();
        await page.WaitForFunctionAsync($"() => window.__memlens.findingsLoads > {loads}", null, new() { Timeout = 10_000 });
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task A_served_recording_opens_on_its_own_range_without_a_stream_and_lists_its_events()
    {
        // Two hours that ended three days ago, as a recording opened today would be.
        long end = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - (3 * 86_400_000L);
        long start = end - 7_199_000;
        var store = new MetricStore();
        for (long ts = start; ts <= end; ts += 1000)
        {
            store.Append(MetricCatalog.ProcessRss, ts, 200e6 + ((ts - start) / 100.0));
            store.Append(MetricCatalog.GcHeapSize, ts, 80e6);
            store.Append(MetricCatalog.GcCommitted, ts, 100e6);
        }

        store.AddEvent(new GcEvent(start + 600_000, 1) { Generation = 2, HasDetails = true, Pause = TimeSpan.FromMilliseconds(4) });
        store.AddEvent(new NoteEvent(end - 60_000, "action.note", "deploy 42"));
        store.AddEvent(new NoteEvent(end + 400, "process.exit", "process 4242 exited (code 0)"));
        using var monitor = new MemLensMonitor(store, [], new MemLensTarget(4242, "shop", "dotnet", false), new MemLensOptions())
        {
            Live = false,
            Facts = new Dictionary<string, string> { ["target.command_line"] = "dotnet Shop.dll", ["target.runtime"] = "dotnet", ["env.GODEBUG"] = "x" },
        };
        await using var server = MemLensServer.Start(monitor, new MemLensServerOptions());

        var page = await chromium.NewPageAsync();
        var requests = new List<string>();
        var errors = new List<string>();
        page.Request += (_, r) => requests.Add(r.Url);
        page.PageError += (_, e) => errors.Add(e);
        await page.GotoAsync(server.Url.ToString());
        await page.WaitForSelectorAsync("body[data-ready=\"1\"]", new() { Timeout = 20_000 });
        await page.WaitForFunctionAsync("() => (window.__memlens.findingsLoads ?? 0) >= 1 && (window.__memlens.timelineRows ?? 0) > 0", null, new() { Timeout = 20_000 });

        Assert.False(await page.EvaluateAsync<bool>("() => window.__memlens.live"));
        await Assertions.Expect(page.Locator(".conn-state")).ToHaveTextAsync("Recording");
        Assert.False(await page.Locator("#pause-button").IsVisibleAsync());
        // "All" by default, ending at the recording's end, not now.
        Assert.Equal("all", await page.EvaluateAsync<string>("() => window.__memlens.preset"));
        var view = await page.EvaluateAsync<JsonElement>("() => window.__memlens.view");
        Assert.Equal(start, view.GetProperty("from").GetInt64());
        Assert.Equal(end, view.GetProperty("to").GetInt64());
        var range = await page.EvaluateAsync<JsonElement>("() => window.__memlens.findingsRange");
        Assert.Equal(end, range.GetProperty("to").GetInt64());
        await Assertions.Expect(page.Locator("#about-process")).ToContainTextAsync("dotnet Shop.dll");
        await Assertions.Expect(page.Locator("#timeline")).ToContainTextAsync("deploy 42");

        // A preset is the recording's last hour.
        await page.Locator(".presets button[data-range=\"1h\"]").ClickAsync();
        await page.WaitForFunctionAsync("() => window.__memlens.findingsLoads >= 2", null, new() { Timeout = 10_000 });
        view = await page.EvaluateAsync<JsonElement>("() => window.__memlens.view");
        Assert.Equal(end - 3_600_000, view.GetProperty("from").GetInt64());
        Assert.Equal(end, view.GetProperty("to").GetInt64());
        await Assertions.Expect(page.Locator("#timeline")).Not.ToContainTextAsync("GC #1 ");

        output.WriteLine("requests: " + string.Join(", ", requests.Select(r => new Uri(r).PathAndQuery)));
        Assert.DoesNotContain(requests, r => r.Contains("api/stream", StringComparison.Ordinal));
        Assert.Empty(errors);
        await page.ScreenshotAsync(new() { Path = Chromium.ScreenshotPath("recording.png"), FullPage = true });
        await page.Context.CloseAsync();
    }
}
