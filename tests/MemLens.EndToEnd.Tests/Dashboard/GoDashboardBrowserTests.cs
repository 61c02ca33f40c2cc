using System.Globalization;
using System.Net;
using System.Net.Sockets;
using MemLens.EndToEnd.Tests.Go;
using Microsoft.Playwright;
using Xunit;
using Xunit.Abstractions;

namespace MemLens.EndToEnd.Tests.Dashboard;

/// <summary>
/// The Go chart set in Debian's Chromium for a running Go child: `memlens run --go-pprof` of samples/go/memstats with
/// GODEBUG=madvdontneed=0, which frees a large heap after a few seconds, so the scavenger chart shows memory
/// released to the OS that is still in RSS as LazyFree.
/// </summary>
[Collection(BrowserCollection.Name)]
public class GoDashboardBrowserTests(Chromium chromium, ITestOutputHelper output)
{
    private static readonly string[] s_goCharts = ["go-memstats", "go-gc-heap", "go-scavenger", "go-gc-times", "go-gc-cpu", "go-gc-rate"];

    [Fact]
    public async Task A_go_child_under_run_shows_the_go_charts_and_no_dotnet_ones_with_its_freed_heap_as_lazyfree()
    {
        string program = await GoPrograms.BuildAsync("memstats");
        string addr;
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            addr = $"127.0.0.1:{((IPEndPoint)probe.LocalEndpoint).Port}";
        }

        await using var tool = RunningTool.Start(new Dictionary<string, string> { ["GODEBUG"] = "madvdontneed=0" },
            "run", "--no-browser", "--go-pprof", "http://" + addr, "--", program, "-addr", addr, "-alloc", "96", "-churn", "-free-after", "3s");
        var url = new Uri(await tool.WaitForLineAsync("Dashboard:", TimeSpan.FromSeconds(30)));
        Assert.Contains("(Go)", await tool.WaitForLineAsync("Watching:", TimeSpan.FromSeconds(5)), StringComparison.Ordinal);

        var page = await chromium.NewPageAsync();
        var errors = new List<string>();
        page.PageError += (_, e) => errors.Add(e);
        await page.GotoAsync(url.ToString());
        await page.WaitForSelectorAsync("body[data-ready=\"1\"]", new() { Timeout = 20_000 });

        // Every Go chart appears once its series have data; the .NET charts never do.
        string allGo = string.Join(" && ", s_goCharts.Select(c => $"v.includes('{c}')"));
        await page.WaitForFunctionAsync($"() => {{ const v = window.__memlens.visibleCharts ?? []; return {allGo}; }}", null, new() { Timeout = 30_000 });
        var visible = await page.EvaluateAsync<string[]>("() => window.__memlens.visibleCharts");
        output.WriteLine("visible: " + string.Join(", ", visible));
        Assert.DoesNotContain("runtime", visible);
        Assert.DoesNotContain("gap", visible);
        Assert.DoesNotContain("gc-pauses", visible);
        Assert.Contains("process", visible);

        // The pprofplus chart: VSZ on its own (right) axis.
        var memstats = page.Locator("section[data-chart-id=\"go-memstats\"]");
        await Assertions.Expect(memstats.Locator(".u-legend")).ToContainTextAsync("HeapReleased");
        await Assertions.Expect(memstats.Locator(".u-legend")).ToContainTextAsync("right axis");

        // After the free: released to the OS, yet still resident as LazyFree. smaps_rollup is read less often the more it
        // costs (0.1 % of a core); its cost is measured in wall-clock time, so on a busy machine a read can be tens of
        // seconds away: wait up to 70 s.
        var scavenger = page.Locator("section[data-chart-id=\"go-scavenger\"]");
        double lazyFree = 0, released = 0;
        for (var waited = System.Diagnostics.Stopwatch.StartNew(); waited.Elapsed < TimeSpan.FromSeconds(70); await Task.Delay(500))
        {
            lazyFree = MiB(await LegendValueAsync(scavenger, "LazyFree"));
            released = MiB(await LegendValueAsync(scavenger, "HeapReleased"));
            if (lazyFree >= 64 && released >= 64)
            {
                break;
            }
        }

        output.WriteLine($"legend: {await scavenger.Locator(".u-legend").InnerTextAsync()}");
        Assert.True(lazyFree >= 64, $"LazyFree shown: {lazyFree} MiB; stderr: {tool.Stderr}");
        Assert.True(released >= 64, $"HeapReleased shown: {released} MiB; stderr: {tool.Stderr}");

        // The help text explains the difference between memory kept for reuse and memory released.
        await scavenger.Locator(".help-button").ClickAsync();
        await Assertions.Expect(scavenger.Locator(".help-popover")).ToContainTextAsync("madvdontneed=0");
        await Assertions.Expect(scavenger.Locator(".help-popover")).ToContainTextAsync("HeapIdle − HeapReleased");
        await scavenger.Locator(".help-button").ClickAsync();

        await page.ScreenshotAsync(new() { Path = Chromium.ScreenshotPath("dashboard-go.png"), FullPage = true });
        Assert.Empty(errors);
        await page.Context.CloseAsync();
    }

    // The legend's value of one series, off the chart (its latest value), e.g. "161 MiB".
    private static async Task<string> LegendValueAsync(ILocator chart, string label)
    {
        var row = chart.Locator(".u-legend .u-series").Filter(new() { Has = chart.Page.Locator(".u-label", new() { HasTextString = label }) }).First;
        return (await row.Locator(".u-value").InnerTextAsync()).Trim();
    }

    private static double MiB(string text)
    {
        var parts = text.Replace(",", "", StringComparison.Ordinal).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length < 2 || !double.TryParse(parts[0], NumberStyles.Float, CultureInfo.InvariantCulture, out double v))
        {
            return 0;
        }

        return parts[1] switch { "GiB" => v * 1024, "MiB" => v, "KiB" => v / 1024, _ => 0 };
    }
}
