using System.Globalization;
using System.Net;
using System.Text.Json;
using Xunit;

namespace MemLens.EndToEnd.Tests.Probes;

/// <summary>
/// The dashboard as `memlens watch` serves it, probed from outside: the worst query on every route keeps the tool's
/// memory bounded (its own /proc/&lt;pid&gt;/status, read with a plain split), and a cross-origin POST or a foreign
/// Host is refused without the action running.
/// </summary>
public sealed class ToolServerProbeTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private static readonly TimeSpan s_start = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task The_worst_query_on_every_route_of_watch_keeps_its_memory_bounded()
    {
        await using var demo = await DemoProcess.StartAsync("--scenario", "idle");
        await using var tool = RunningTool.Start("watch", demo.Pid.ToString(CultureInfo.InvariantCulture), "--no-browser");
        var url = new Uri(await tool.WaitForLineAsync("Dashboard:", s_start));
        using var http = new HttpClient { BaseAddress = url, Timeout = TimeSpan.FromSeconds(60) };
        await WaitForSampleAsync(http);

        string manyIds = string.Join(',', Enumerable.Repeat("process.memory.rss", 60));
        string[] worst =
        [
            "api/series?from=0&to=9223372036854775807&points=5000",
            "api/series?from=1&to=9223372036854775807",
            "api/series?from=-9223372036854775808&to=0",
            "api/series?from=0&to=253402300799999&points=9223372036854775807&ids=" + manyIds,
            "api/events?from=0&to=9223372036854775807&max=9223372036854775807",
            "api/events?from=0&to=253402300799999&max=9223372036854775807",
            "api/findings?from=-9223372036854775808&to=9223372036854775807",
            "api/findings?from=0&to=253402300799999",
            "api/snapshots/s1?top=9223372036854775807",
            "api/snapshots/diff?a=s1&b=s2&top=9223372036854775807",
            "api/snapshots/diff?a=s1&b=s2&top=9223372036854775807&sort=retained",
            "api/snapshots/s1/retention?max=9223372036854775807",
            "api/catalog", "api/status", "api/snapshots", "",
        ];

        long before = Status(tool.Pid, "VmRSS:");
        bool reset = TryResetPeak(tool.Pid);
        foreach (string q in worst)
        {
            using var response = await http.GetAsync(q);
            Assert.True((int)response.StatusCode is 200 or 400 or 404, $"{q}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            if (!response.IsSuccessStatusCode)
            {
                string body = await response.Content.ReadAsStringAsync();
                Assert.DoesNotContain('\n', body.TrimEnd());
                Assert.DoesNotContain("Exception", body, StringComparison.Ordinal);
            }
        }

        long peak = Status(tool.Pid, reset ? "VmHWM:" : "VmRSS:");
        output.WriteLine($"memlens watch RSS before {before >> 10} KiB, {(reset ? "peak" : "RSS")} after the worst queries {peak >> 10} KiB (+{(peak - before) >> 10} KiB)");
        Assert.True(peak - before < 64L << 20, $"memlens watch peaked at {peak >> 20} MiB, {(peak - before) >> 20} MiB above the {before >> 20} MiB before the queries");
        Assert.False(tool.Process.HasExited);
    }

    [Fact]
    public async Task Watch_refuses_a_cross_origin_gc_and_a_foreign_host_and_the_gc_does_not_run()
    {
        await using var demo = await DemoProcess.StartAsync("--scenario", "idle");
        await using var tool = RunningTool.Start("watch", demo.Pid.ToString(CultureInfo.InvariantCulture), "--no-browser");
        var url = new Uri(await tool.WaitForLineAsync("Dashboard:", s_start));
        using var http = new HttpClient { BaseAddress = url };
        await WaitForSampleAsync(http);

        using (var crossSite = new HttpRequestMessage(HttpMethod.Post, "api/actions/gc") { Content = new StringContent("x", null, "text/plain") })
        {
            crossSite.Headers.TryAddWithoutValidation("Origin", "https://evil.example");
            using var response = await http.SendAsync(crossSite);
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        }

        using (var rebound = new HttpRequestMessage(HttpMethod.Post, "api/actions/gc"))
        {
            rebound.Headers.Host = "evil.example:" + url.Port.ToString(CultureInfo.InvariantCulture);
            using var response = await http.SendAsync(rebound);
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        }

        using (var rebound = new HttpRequestMessage(HttpMethod.Get, "api/catalog"))
        {
            rebound.Headers.Host = "evil.example:" + url.Port.ToString(CultureInfo.InvariantCulture);
            using var response = await http.SendAsync(rebound);
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
            Assert.DoesNotContain("commandLine", await response.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
        }

        using var events = JsonDocument.Parse(await http.GetStringAsync("api/events?from=0"));
        Assert.DoesNotContain(events.RootElement.GetProperty("events").EnumerateArray(), e => e.GetProperty("type").GetString() == "action.gc");

        // The page's own requests (same origin) still act.
        using var same = new HttpRequestMessage(HttpMethod.Post, "api/actions/gc");
        same.Headers.TryAddWithoutValidation("Origin", url.GetLeftPart(UriPartial.Authority));
        same.Headers.TryAddWithoutValidation("Sec-Fetch-Site", "same-origin");
        using var done = await http.SendAsync(same);
        Assert.Equal(HttpStatusCode.OK, done.StatusCode);
    }

    [Fact]
    public async Task The_metrics_port_of_watch_refuses_a_foreign_host_and_a_cross_site_scrape()
    {
        await using var demo = await DemoProcess.StartAsync("--scenario", "idle");
        await using var tool = RunningTool.Start("watch", demo.Pid.ToString(CultureInfo.InvariantCulture), "--json-lines", "--no-record", "--metrics-port", "0");
        string said = await tool.WaitForStderrLineAsync("memlens: Prometheus metrics at ", TimeSpan.FromSeconds(60));
        var url = new Uri(said.Split(' ')[0]);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };

        using (var rebound = new HttpRequestMessage(HttpMethod.Get, url))
        {
            rebound.Headers.Host = "evil.example:" + url.Port.ToString(CultureInfo.InvariantCulture);
            using var response = await http.SendAsync(rebound);
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
            Assert.DoesNotContain("memlens_", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        using (var crossSite = new HttpRequestMessage(HttpMethod.Get, url))
        {
            crossSite.Headers.TryAddWithoutValidation("Sec-Fetch-Site", "cross-site");
            using var response = await http.SendAsync(crossSite);
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        }

        // Prometheus's own scrape (no Origin, Host as configured) is served.
        using var scrape = await http.GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, scrape.StatusCode);
        Assert.Contains("memlens_process_memory_rss_bytes", await scrape.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private static async Task WaitForSampleAsync(HttpClient http)
    {
        using var cts = new CancellationTokenSource(s_start);
        while (true)
        {
            using var series = JsonDocument.Parse(await http.GetStringAsync("api/series?ids=process.memory.rss&points=10", cts.Token));
            if (series.RootElement.GetProperty("t").GetArrayLength() > 0)
            {
                return;
            }

            await Task.Delay(100, cts.Token);
        }
    }

    /// <summary>A figure of /proc/&lt;pid&gt;/status in bytes, read with a plain split (not MemLens's parsers).</summary>
    private static long Status(int pid, string field)
    {
        string line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith(field, StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
    }

    /// <summary>Resets the process's VmHWM to its current RSS ("5" to clear_refs, Linux 4.0+); false when not allowed here.</summary>
    private static bool TryResetPeak(int pid)
    {
        try
        {
            File.WriteAllText($"/proc/{pid}/clear_refs", "5");
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}
