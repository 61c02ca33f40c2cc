using System.Globalization;
using System.Text.Json;
using MemLens.Tests.Shared;
using MemLens.Tests.Support;
using Xunit;

namespace MemLens.EndToEnd.Tests.Fleet;

/// <summary>
/// The fleet path with the real things: Debian's Prometheus scrapes a live demo's in-process <c>/metrics</c>
/// (<c>MapMemLensMetrics</c>) and <c>memlens watch --metrics-port</c> watching the same process, and what it stored
/// is what MemLens's own API reports.
/// </summary>
public sealed class PrometheusScrapeTests
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Prometheus_stores_the_RSS_and_GC_heap_MemLens_reports_for_the_app_and_for_the_tool()
    {
        await using var demo = await DemoProcess.StartAsync("--scenario", "leak", "--rate", "4", "--max-mb", "256", "--listen", "127.0.0.1:0");
        var dashboard = demo.DashboardUrl!;
        var appMetrics = new Uri(dashboard, "/metrics");
        await using var tool = RunningTool.Start("watch", demo.Pid.ToString(CultureInfo.InvariantCulture), "--json-lines", "--no-record", "--metrics-port", "0");
        var toolMetrics = new Uri((await tool.WaitForStderrLineAsync("memlens: Prometheus metrics at ", s_wait)).Split(' ')[0]);
        Assert.Equal("127.0.0.1", toolMetrics.Host);

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        // promtool on both endpoints, once the runtime's figures are in them (after the first GC, and for the tool
        // once it is attached over EventPipe).
        foreach (var endpoint in new[] { appMetrics, toolMetrics })
        {
            string text = await WaitForTextAsync(http, endpoint, "memlens_dotnet_gc_heap_size_bytes{");
            var (exit, output) = await Promtool.CheckMetricsAsync(text);
            Assert.True(exit == 0 && output.Length == 0, $"promtool check metrics on {endpoint} said (exit {exit}): {output}");
        }

        await using var prometheus = await PrometheusServer.StartAsync(new Dictionary<string, string>
        {
            ["app"] = $"{appMetrics.Host}:{appMetrics.Port}",
            ["memlens-tool"] = $"{toolMetrics.Host}:{toolMetrics.Port}",
        });

        string pid = demo.Pid.ToString(CultureInfo.InvariantCulture);
        foreach (string job in new[] { "app", "memlens-tool" })
        {
            var rss = Assert.Single(await prometheus.WaitForSeriesAsync($"memlens_process_memory_rss_bytes{{job=\"{job}\"}}", s_wait));
            Assert.Equal(pid, rss.Labels["pid"]);
            Assert.Equal("MemLens.Demo", rss.Labels["process_name"]);
            Assert.Equal("dotnet", rss.Labels["runtime"]);
            Assert.Single(await prometheus.WaitForSeriesAsync($"memlens_dotnet_gc_heap_size_bytes{{job=\"{job}\",pid=\"{pid}\"}}", s_wait));
        }

        // Prometheus's newest scrape of the app against the app's own API at that time. Each sample keeps its scrape
        // time; the app exported the newest value it had when the scrape arrived, so the API's samples just before
        // (and the one being appended as the scrape came in) are the ones it must match.
        var scrapedRss = (await prometheus.QueryRangeVectorAsync($"memlens_process_memory_rss_bytes{{job=\"app\"}}", TimeSpan.FromSeconds(30)))[0].Samples[^1];
        var scrapedHeap = (await prometheus.QueryRangeVectorAsync($"memlens_dotnet_gc_heap_size_bytes{{job=\"app\"}}", TimeSpan.FromSeconds(30)))[0].Samples[^1];
        await Task.Delay(1500); // the API then holds the samples around the scrape

        await AssertMatchesApiAsync(http, dashboard, "process.memory.rss", scrapedRss);
        await AssertMatchesApiAsync(http, dashboard, "dotnet.gc.heap.size", scrapedHeap);

        await AssertGrafanaQueriesWorkAsync(prometheus);
    }

    // Every query of deploy/grafana/memlens.json, as Grafana would send it with "All" selected: Prometheus must accept
    // it, and the panels about a .NET process must have data for the two .NET instances scraped here.
    private static async Task AssertGrafanaQueriesWorkAsync(PrometheusServer prometheus)
    {
        using var doc = JsonDocument.Parse(await File.ReadAllTextAsync(GrafanaDashboard.PathIn(RepositoryRoot.Path)));
        string[] dotnetPanels = ["RSS vs PSS vs runtime heap vs committed", "GC pauses: share of time paused", "Heap by generation (.NET)"];
        var withData = new HashSet<string>(StringComparer.Ordinal);
        foreach (var query in GrafanaDashboard.Queries(doc.RootElement).Where(q => !q.Panel.StartsWith('$')))
        {
            var (ok, error, series) = await prometheus.QueryAsync(GrafanaDashboard.Resolve(query.Expr));
            Assert.True(ok, $"Prometheus refused the query {query.RefId} of '{query.Panel}': {error} ({query.Expr})");
            if (series > 0)
            {
                withData.Add(query.Panel);
            }
        }

        Assert.All(dotnetPanels, panel => Assert.Contains(panel, withData));
        Assert.Contains("The gap: resident memory the runtime does not account for", withData);
    }

    private static async Task AssertMatchesApiAsync(HttpClient http, Uri dashboard, string metric, PromSample scraped)
    {
        // Buckets are one sampling interval (1 s) wide and start at or before their samples: the bucket holding the
        // scrape time and the one before it hold the newest sample when the scrape came in, and the one before that
        // (a sample stamped just before the scrape but appended just after it).
        long from = scraped.TimestampMs - 2_000, to = scraped.TimestampMs;
        using var doc = JsonDocument.Parse(await http.GetStringAsync(new Uri(dashboard,
            $"api/series?from={from}&to={to}&points=5000&ids={metric}")));
        var times = doc.RootElement.GetProperty("t").EnumerateArray().Select(t => t.GetInt64()).ToList();
        var series = doc.RootElement.GetProperty("series").GetProperty(metric);
        var candidates = new List<(long T, double V)>();
        foreach (string field in new[] { "v", "min", "max" })
        {
            if (series.TryGetProperty(field, out var values))
            {
                candidates.AddRange(values.EnumerateArray().Select((v, i) => (times[i], v.ValueKind == JsonValueKind.Number ? v.GetDouble() : double.NaN))
                    .Where(c => !double.IsNaN(c.Item2)));
            }
        }

        Assert.NotEmpty(candidates);
        var nearest = candidates.MinBy(c => Math.Abs(c.V - scraped.Value));
        double error = Math.Abs(nearest.V - scraped.Value) / nearest.V;
        Assert.True(error <= 0.01,
            $"{metric}: Prometheus stored {scraped.Value} at {scraped.TimestampMs}; MemLens's API had " +
            $"{string.Join(", ", candidates.Select(c => $"{c.V} at {c.T}"))} — the nearest is {error:P2} off");
    }

    private static async Task<string> WaitForTextAsync(HttpClient http, Uri endpoint, string needle)
    {
        var deadline = DateTime.UtcNow + s_wait;
        while (true)
        {
            string text = await http.GetStringAsync(endpoint);
            if (text.Contains(needle, StringComparison.Ordinal))
            {
                return text;
            }

            Assert.True(DateTime.UtcNow < deadline, $"{endpoint} has no {needle} after {s_wait}: {text}");
            await Task.Delay(250);
        }
    }
}
