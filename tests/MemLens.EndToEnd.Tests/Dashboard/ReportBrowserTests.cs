using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using MemLens.AspNetCore;
using MemLens.Doctor;
using MemLens.Events;
using Microsoft.Playwright;
using Xunit;
using Xunit.Abstractions;

namespace MemLens.EndToEnd.Tests.Dashboard;

/// <summary>
/// The self-contained report (DashboardReport) in Debian's Chromium, opened from file:// with every request routed:
/// it must draw its charts, findings, facts and events from the data it carries and ask for nothing else.
/// </summary>
[Collection(BrowserCollection.Name)]
public partial class ReportBrowserTests(Chromium chromium, ITestOutputHelper output)
{
    private const string Hostile = "</script><b id=\"injected\">x</b><!--";

    [Fact]
    public async Task A_report_of_this_process_opens_from_a_file_with_no_request_and_shows_everything()
    {
        string file = Path.Combine(Path.GetTempPath(), $"memlens-report-{Guid.NewGuid():N}.html");
        try
        {
            var finding = await WriteReportOfThisProcessAsync(file);
            output.WriteLine($"report: {new FileInfo(file).Length / 1024.0:0.0} KiB");
            var offline = await OfflinePage.OpenAsync(chromium, file);
            var page = offline.Page;
            string url = offline.Url;
            var requests = offline.Requests;
            var errors = offline.Errors;

            await page.WaitForSelectorAsync("body[data-ready=\"1\"]", new() { Timeout = 20_000 });
            await page.WaitForFunctionAsync("() => window.__memlens.eventsLoaded === true && (window.__memlens.findingsLoads ?? 0) >= 1 && (window.__memlens.timelineRows ?? 0) > 0", null, new() { Timeout = 20_000 });

            Assert.True(await page.EvaluateAsync<bool>("() => window.__memlens.report === true && window.__memlens.live === false"));
            await Assertions.Expect(page.Locator(".conn-state")).ToHaveTextAsync("Report");

            // Charts drawn from the embedded series: visible, and their canvases hold pixels.
            var visible = await page.EvaluateAsync<string[]>("() => window.__memlens.visibleCharts");
            output.WriteLine("visible charts: " + string.Join(", ", visible));
            Assert.Contains("process", visible);
            Assert.Contains("runtime", visible);
            int drawn = await offline.DrawnChartsAsync();
            Assert.True(drawn >= visible.Length, $"{drawn} drawn canvases for {visible.Length} visible charts");

            // The findings panel, with the finding's parts; its range zooms every chart.
            var panel = page.Locator("#findings-panel");
            await Assertions.Expect(panel).ToBeVisibleAsync();
            Assert.Equal([finding.Id], await page.EvaluateAsync<string[]>("() => window.__memlens.findings"));
            var card = panel.Locator($"[data-finding-id=\"{finding.Id}\"]");
            await Assertions.Expect(card.Locator(".confidence")).ToHaveTextAsync("High confidence");
            await Assertions.Expect(card.Locator(".finding-evidence li")).ToHaveTextAsync(finding.Evidence[0]);
            await Assertions.Expect(card.Locator(".finding-steps code")).ToHaveTextAsync("memlens snapshot 4242");
            await Assertions.Expect(card.Locator(".finding-docs")).ToContainTextAsync("docs/doctor.md#managed-leak");
            await card.Locator(".finding-range").ClickAsync();
            await page.WaitForFunctionAsync("() => window.__memlens.zoomed === true", null, new() { Timeout = 10_000 });
            var view = await page.EvaluateAsync<JsonElement>("() => window.__memlens.view");
            Assert.InRange(view.GetProperty("from").GetDouble(), finding.FromMs - 1000, finding.FromMs + 1000);
            Assert.InRange(view.GetProperty("to").GetDouble(), finding.ToMs - 1000, finding.ToMs + 1000);
            await page.Locator("#reset-zoom").ClickAsync();

            // The facts, as text: a command line holding "</script>" neither breaks the page nor becomes markup.
            var about = page.Locator("#about-process");
            await Assertions.Expect(about).ToContainTextAsync("Command line");
            await Assertions.Expect(about).ToContainTextAsync(Hostile);
            await Assertions.Expect(about).ToContainTextAsync(System.Runtime.GCSettings.IsServerGC ? "Server GC" : "Workstation GC");
            Assert.Equal(0, await page.Locator("#injected").CountAsync());

            // The events timeline lists the notes and the GCs.
            var timeline = page.Locator("#timeline");
            await Assertions.Expect(timeline).ToBeVisibleAsync();
            await Assertions.Expect(timeline.Locator("tr[data-type=\"note\"]")).ToContainTextAsync("load test started");
            Assert.True(await timeline.Locator("tr[data-kind=\"gc\"]").CountAsync() >= 1);
            await Assertions.Expect(page.Locator(".report-footer")).ToContainTextAsync("generated");

            // Nothing that needs a server: no actions, no pause, no token form, no live indicator.
            foreach (string id in new[] { "#release-button", "#gc-button", "#snapshot-button", "#pause-button", "#token-form", ".connection-banner" })
            {
                Assert.False(await page.Locator(id).IsVisibleAsync(), id + " is shown");
            }

            // A drag zooms the embedded data: still no request.
            var over = page.Locator("[data-chart-id=\"process\"] .u-over");
            var box = (await over.BoundingBoxAsync())!;
            await page.Mouse.MoveAsync(box.X + (box.Width * 0.2f), box.Y + (box.Height / 2));
            await page.Mouse.DownAsync();
            await page.Mouse.MoveAsync(box.X + (box.Width * 0.6f), box.Y + (box.Height / 2), new() { Steps = 5 });
            await page.Mouse.UpAsync();
            await page.WaitForFunctionAsync("() => window.__memlens.zoomed === true", null, new() { Timeout = 10_000 });
            // The zoom is inside the recorded range and the charts still draw there (from the embedded points).
            var zoomed = await page.EvaluateAsync<JsonElement>("() => window.__memlens.view");
            Assert.InRange(zoomed.GetProperty("from").GetDouble(), finding.FromMs - ((finding.ToMs - finding.FromMs) * 2), finding.ToMs + ((finding.ToMs - finding.FromMs) * 2));
            await page.WaitForFunctionAsync("() => window.__memlens.visibleCharts.includes('process')", null, new() { Timeout = 10_000 });
            await page.Locator("#theme-toggle").ClickAsync();
            await page.WaitForTimeoutAsync(500);

            await page.ScreenshotAsync(new() { Path = Chromium.ScreenshotPath("report.png"), FullPage = true });
            output.WriteLine("requests: " + string.Join(", ", requests));
            Assert.All(requests, r => Assert.Equal(url, r));
            Assert.Single(requests);
            Assert.Empty(errors);
            await page.Context.CloseAsync();
        }
        finally
        {
            File.Delete(file);
        }
    }

    /// <summary>
    /// Samples this test process through /proc and its GC for a few seconds, with a few events and facts, and writes
    /// the report; then puts a finding of its own in place of the doctor's (whose verdict on a few seconds of a test process is not-enough-data), so
    /// the panel has something specific to show. Returns that finding.
    /// </summary>
    private static async Task<Finding> WriteReportOfThisProcessAsync(string file)
    {
        using var monitor = MemLensMonitor.ForCurrentProcess(new MemLensOptions { SampleInterval = TimeSpan.FromMilliseconds(200) });
        monitor.Facts = new Dictionary<string, string>
        {
            ["target.command_line"] = "dotnet test " + Hostile,
            ["target.runtime"] = "dotnet",
            ["target.runtime_version"] = Environment.Version.ToString(),
            ["dotnet.gc.server"] = System.Runtime.GCSettings.IsServerGC ? "true" : "false",
            ["env.DOTNET_gcServer"] = "0",
        };
        monitor.Live = false;
        monitor.Start();
        monitor.RecordEvent(new NoteEvent(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), "note", "load test started " + Hostile));
        var garbage = new List<byte[]>();
        for (int i = 0; i < 12; i++)
        {
            for (int j = 0; j < 200; j++)
            {
                garbage.Add(new byte[16 * 1024]);
            }

            if (i % 4 == 3)
            {
                garbage.Clear();
                GC.Collect();
            }

            await Task.Delay(300);
        }

        monitor.SampleNow();
        long from = monitor.FirstSampleMs()!.Value;
        long to = monitor.LastSampleMs()!.Value;
        var finding = new Finding("managed-leak", "Managed leak", "The live heap after full GCs keeps rising.", Confidence.High,
            ["live heap after full GCs rose from 12 MiB to 96 MiB (+1.4 MiB/min)"], from + ((to - from) / 4), from + ((to - from) * 3 / 4),
            ["Take two heap snapshots a few minutes apart: `memlens snapshot 4242`"]);

        using (var stream = File.Create(file))
        {
            DashboardReport.Write(stream, monitor, new ReportOptions { Title = "report test (pid " + Environment.ProcessId + ")" });
        }

        ReplaceFindings(file, new DoctorReport(from, to, [finding]));
        return finding;
    }

    /// <summary>Swaps the findings in a report's data block for <paramref name="report"/>, escaped as the report escapes.</summary>
    private static void ReplaceFindings(string file, DoctorReport report)
    {
        string html = File.ReadAllText(file);
        var m = DataBlock().Match(html);
        Assert.True(m.Success, "no data block");
        var data = JsonNodeOf(m.Groups[2].Value);
        using (var buffer = new MemoryStream())
        {
            using (var w = new Utf8JsonWriter(buffer))
            {
                report.WriteJson(w);
            }

            data["findings"] = System.Text.Json.Nodes.JsonNode.Parse(buffer.ToArray());
        }

        string json = data.ToJsonString().Replace("<", "\\u003c", StringComparison.Ordinal);
        File.WriteAllText(file, string.Concat(html.AsSpan(0, m.Groups[2].Index), json, html.AsSpan(m.Groups[2].Index + m.Groups[2].Length)), new UTF8Encoding(false));
    }

    private static System.Text.Json.Nodes.JsonObject JsonNodeOf(string json) =>
        System.Text.Json.Nodes.JsonNode.Parse(json)!.AsObject();

    [GeneratedRegex("(<script type=\"application/json\" id=\"memlens-report\">)(.*?)</script", RegexOptions.Singleline)]
    private static partial Regex DataBlock();
}
