using System.Globalization;
using Microsoft.Playwright;
using Xunit;
using Xunit.Abstractions;

namespace MemLens.EndToEnd.Tests.Dashboard;

/// <summary>
/// The budget "first paint with 24 h of 1 Hz history ≤ 500 ms in headless Chromium, ≤ 300 KB of series data",
/// measured on the real page and server. The payload is asserted (bytes are deterministic); the time is
/// measured and reported, not asserted (timings belong in docs/benchmarks.md, not in pass/fail). The server
/// runs in its own process, as it does for users: inside the test host it shares a thread pool with the
/// runner and Playwright's driver, which more than doubled the series request's time (measured).
/// </summary>
[Collection(BrowserCollection.Name)]
public class FirstPaintTests(Chromium chromium, ITestOutputHelper output)
{
    [Fact]
    public async Task A_day_of_history_paints_with_at_most_300_KB_of_series_data()
    {
        await using var server = await FixtureServer.StartAsync();
        var times = new List<double>();
        long seriesBytes = 0;
        // Load 0 meets a cold server (its query code not yet compiled); loads 1–10 are the budget's figure, as
        // for a dashboard opened on a service that has been running. Both are reported.
        double cold = 0;
        for (int run = 0; run < 11; run++)
        {
            var page = await chromium.NewPageAsync(1400, 1000);
            var series = page.WaitForResponseAsync(r => r.Url.Contains("api/series", StringComparison.Ordinal));
            await page.GotoAsync(new Uri(server.Url, "#range=24h").ToString());
            await page.WaitForSelectorAsync("body[data-ready=\"1\"]", new() { Timeout = 30_000 });
            var response = await series;
            var sizes = await response.Request.SizesAsync();
            seriesBytes = sizes.ResponseBodySize;
            double firstPaint = await page.EvaluateAsync<double>("() => window.__memlens.firstPaintMs");
            await page.WaitForFunctionAsync("() => window.__memlens.eventsLoaded === true"); // the GC markers follow
            string preset = await page.EvaluateAsync<string>("() => window.__memlens.preset");
            Assert.Equal("24h", preset);
            string query = await page.EvaluateAsync<string>("() => String(window.__memlens.lastSeriesRequest)");
            Assert.Contains("from=", query, StringComparison.Ordinal);
            if (run == 0)
            {
                cold = firstPaint;
            }
            else
            {
                times.Add(firstPaint);
            }

            string resources = await page.EvaluateAsync<string>(
                "() => performance.getEntriesByType('resource').map(r => `${r.name.split('/').pop().split('?')[0]} ${r.startTime.toFixed(0)}+${r.duration.toFixed(0)} ms ${(r.encodedBodySize / 1024).toFixed(1)} KiB`).join('; ')");
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"load {run}: first paint {firstPaint:0} ms; {resources}"));
            if (run == 0)
            {
                await page.ScreenshotAsync(new() { Path = Chromium.ScreenshotPath("dashboard-24h.png"), FullPage = true });
            }

            await page.Context.CloseAsync();
        }

        times.Sort();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"24 h of 1 Hz history: first paint median {times[times.Count / 2]:0} ms (min {times[0]:0}, max {times[^1]:0}) over {times.Count} loads, {cold:0} ms for the first load after the server started; series response {seriesBytes / 1024.0:0.0} KiB on the wire"));
        Assert.InRange(seriesBytes, 1, 300 * 1000);
    }
}

/// <summary>tests/MemLens.DashboardFixture as a child process: a dashboard over a day of history.</summary>
internal sealed class FixtureServer : IAsyncDisposable
{
    private readonly System.Diagnostics.Process _process;

    private FixtureServer(System.Diagnostics.Process process, Uri url)
    {
        _process = process;
        Url = url;
    }

    public Uri Url { get; }

    public static async Task<FixtureServer> StartAsync()
    {
        var psi = new System.Diagnostics.ProcessStartInfo(ToolProcess.Dotnet)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "MemLens.DashboardFixture.dll"));
        var process = System.Diagnostics.Process.Start(psi)!;
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        string line = await process.StandardOutput.ReadLineAsync(cts.Token) ?? throw new InvalidOperationException("the fixture server exited");
        return new FixtureServer(process, new Uri(line["url ".Length..]));
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _process.StandardInput.WriteLineAsync("exit");
            await _process.StandardInput.FlushAsync();
            if (!_process.WaitForExit(10_000))
            {
                _process.Kill(entireProcessTree: true);
            }
        }
        finally
        {
            _process.Dispose();
        }
    }
}
