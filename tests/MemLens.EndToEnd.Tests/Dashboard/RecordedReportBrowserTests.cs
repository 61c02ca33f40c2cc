using System.Globalization;
using Microsoft.Playwright;
using Xunit;
using Xunit.Abstractions;

namespace MemLens.EndToEnd.Tests.Dashboard;

/// <summary>
/// `memlens report` of a real recording — one left behind by a kill -9 of the tool — in Debian's Chromium from
/// file://, every request routed: charts drawn, findings and events shown, nothing fetched.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class RecordedReportBrowserTests(Chromium chromium, ITestOutputHelper output)
{
    [Fact]
    public async Task The_report_of_a_recording_left_by_kill_9_renders_its_charts_without_any_request()
    {
        string db = Path.Combine(ToolProcess.WorkDir, $"killed-report-{Guid.NewGuid():N}.db");
        string html = Path.ChangeExtension(db, ".html");
        await using (var demo = await DemoProcess.StartAsync("--scenario", "leak"))
        await using (var tool = RunningTool.Start("watch", demo.Pid.ToString(CultureInfo.InvariantCulture), "--json-lines", "--record", db))
        {
            await tool.WaitForLineAsync("{", TimeSpan.FromSeconds(60));
            // A full GC induced from outside: at least one event for the timeline, however busy the machine.
            var (gc, _, gcErr) = await ToolProcess.RunAsync(TimeSpan.FromSeconds(60), "gc", demo.Pid.ToString(CultureInfo.InvariantCulture));
            Assert.True(gc == 0, gcErr);
            await Task.Delay(TimeSpan.FromSeconds(4)); // a few flushes after it
            tool.Process.Kill();
            await tool.Process.WaitForExitAsync();
        }

        var (code, _, stderr) = await ToolProcess.RunAsync(TimeSpan.FromSeconds(60), "report", db);
        Assert.True(code == 0, stderr);
        Assert.Contains("wrote " + html, stderr, StringComparison.Ordinal);
        output.WriteLine(stderr);

        var offline = await OfflinePage.OpenAsync(chromium, html);
        var page = offline.Page;
        await page.WaitForSelectorAsync("body[data-ready=\"1\"]", new() { Timeout = 20_000 });
        await page.WaitForFunctionAsync("() => (window.__memlens.findingsLoads ?? 0) >= 1 && (window.__memlens.timelineRows ?? 0) > 0", null, new() { Timeout = 30_000 });

        var visible = await page.EvaluateAsync<string[]>("() => window.__memlens.visibleCharts");
        output.WriteLine("visible charts: " + string.Join(", ", visible));
        Assert.Contains("process", visible);
        int drawn = await offline.DrawnChartsAsync();
        Assert.True(drawn >= visible.Length, $"{drawn} drawn canvases for {visible.Length} visible charts");
        Assert.NotEmpty(await page.EvaluateAsync<string[]>("() => window.__memlens.findings"));
        await Assertions.Expect(page.Locator("#about-process")).ToContainTextAsync("MemLens.Demo");

        Assert.All(offline.Requests, r => Assert.Equal(offline.Url, r));
        Assert.Empty(offline.Errors);
        await page.Context.CloseAsync();
    }
}
