using System.Text.Json;
using MemLens.Metrics;
using MemLens.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Logging;
using Xunit;

namespace MemLens.AspNetCore.Tests;

/// <summary>
/// The charts of <c>api/catalog</c> (axis, requires, the Go set) checked against <c>api/series</c> over a store filled
/// with known values, served by a monitor with no sources.
/// </summary>
public class ChartCatalogTests
{
    private const long T0 = 1_700_000_000_000;

    private static readonly string[] s_goCharts = ["go-memstats", "go-gc-heap", "go-scavenger", "go-gc-times", "go-gc-cpu", "go-gc-rate"];

    [Fact]
    public async Task Every_series_and_required_id_of_every_chart_is_served_by_api_series()
    {
        var (catalog, _) = await CatalogAndSeriesAsync(new MetricStore(), null);
        var ids = Charts(catalog).SelectMany(c => SeriesIds(c).Concat(Requires(c))).Distinct(StringComparer.Ordinal).ToArray();
        Assert.Contains("derived.go.idle_kept", ids);
        Assert.Contains("rate:go.gc.count", ids);

        // Asked for by name, each one resolves (an unknown id gets 400) and comes back.
        var (_, series) = await CatalogAndSeriesAsync(new MetricStore(), string.Join(',', ids));
        foreach (string id in ids)
        {
            Assert.True(series.GetProperty("series").TryGetProperty(id, out _), $"{id} is not served");
        }
    }

    [Fact]
    public async Task Requires_names_series_of_its_own_chart_and_axis_is_written_only_for_the_right_axis()
    {
        var (catalog, _) = await CatalogAndSeriesAsync(new MetricStore(), null);
        var charts = Charts(catalog).ToDictionary(c => c.GetProperty("id").GetString()!);
        foreach (var chart in charts.Values)
        {
            var own = SeriesIds(chart).ToHashSet(StringComparer.Ordinal);
            Assert.All(Requires(chart), id => Assert.Contains(id, own));
            foreach (var s in chart.GetProperty("series").EnumerateArray())
            {
                if (s.TryGetProperty("axis", out var axis))
                {
                    Assert.Equal("y2", axis.GetString()); // the left axis is the default and is not written
                }
            }
        }

        // The Go set follows the .NET charts, each with help for a service owner.
        var order = charts.Keys.ToList();
        Assert.Equal(s_goCharts, order.Where(id => id.StartsWith("go-", StringComparison.Ordinal)));
        Assert.True(order.IndexOf("go-memstats") > order.IndexOf("allocation"));
        Assert.All(s_goCharts, id => Assert.True(charts[id].GetProperty("help").GetString()!.Length > 200, id));

        // pprofplus's chart: MemStats with RSS, and VSZ on its own right-hand axis instead of flattening them.
        var memstats = charts["go-memstats"];
        Assert.Equal(
            ["go.memstats.sys", "go.memstats.heap_sys", "go.memstats.heap_alloc", "go.memstats.heap_inuse", "go.memstats.heap_released", "go.memstats.heap_idle", "process.memory.rss", "process.memory.virtual"],
            SeriesIds(memstats));
        Assert.Equal(["process.memory.virtual"], memstats.GetProperty("series").EnumerateArray().Where(s => s.TryGetProperty("axis", out _)).Select(s => s.GetProperty("id").GetString()));
        Assert.Equal("bytes", memstats.GetProperty("series")[7].GetProperty("unit").GetString());
        Assert.All(Requires(memstats), id => Assert.StartsWith("go.memstats.", id, StringComparison.Ordinal));
        Assert.Equal(6, Requires(memstats).Count());

        Assert.Equal(["go.gc.heap.start", "go.gc.heap.end", "go.gc.heap.live", "go.gc.heap.goal", "go.memstats.next_gc"], SeriesIds(charts["go-gc-heap"]));
        // Shown by the trace's per-GC figures or by MemStats' NextGC alone (a program polled with --go-pprof, no trace).
        Assert.Equal(["go.gc.heap.start", "go.gc.heap.end", "go.gc.heap.live", "go.gc.heap.goal", "go.memstats.next_gc"], Requires(charts["go-gc-heap"]));
        Assert.Equal(["go.gc.stw", "go.gc.mark"], SeriesIds(charts["go-gc-times"]));
        Assert.Equal("seconds", charts["go-gc-times"].GetProperty("unit").GetString());
        Assert.Equal(["go.gc.cpu", "go.memstats.gc_cpu_fraction"], SeriesIds(charts["go-gc-cpu"]));
        Assert.Equal("ratio", charts["go-gc-cpu"].GetProperty("unit").GetString());
        Assert.Equal(["rate:go.gc.count", "rate:go.memstats.num_gc"], SeriesIds(charts["go-gc-rate"]));

        var scavenger = charts["go-scavenger"];
        Assert.Equal(["go.scavenger.released", "go.memstats.heap_released", "derived.go.retained", "derived.go.idle_kept", "process.memory.lazyfree"], SeriesIds(scavenger));
        Assert.DoesNotContain("process.memory.lazyfree", Requires(scavenger));
        string help = scavenger.GetProperty("help").GetString()!;
        Assert.Contains("madvdontneed=1", help, StringComparison.Ordinal);
        Assert.Contains("madvdontneed=0", help, StringComparison.Ordinal);
        Assert.Contains("LazyFree", help, StringComparison.Ordinal);

        // The gap mixes RSS with the .NET GC: it needs GC committed; the plain OS charts need nothing.
        Assert.Equal(["dotnet.gc.committed"], Requires(charts["gap"]));
        Assert.False(charts["process"].TryGetProperty("requires", out _));
        Assert.False(charts["virtual"].TryGetProperty("requires", out _));
    }

    [Fact]
    public async Task A_go_process_shows_the_go_charts_and_none_of_the_dotnet_ones()
    {
        var store = new MetricStore();
        for (int i = 0; i < 30; i++)
        {
            long ts = T0 + (i * 1000L);
            store.Append(MetricCatalog.ProcessRss, ts, 90e6);
            store.Append(MetricCatalog.ProcessVirtual, ts, 1.2e9);
            store.Append(MetricCatalog.ProcessLazyFree, ts, 10e6);
            store.Append(MetricCatalog.GoSys, ts, 80e6);
            store.Append(MetricCatalog.GoHeapSys, ts, 64e6);
            store.Append(MetricCatalog.GoHeapAlloc, ts, 20e6);
            store.Append(MetricCatalog.GoHeapInuse, ts, 24e6);
            store.Append(MetricCatalog.GoHeapIdle, ts, 40e6);
            store.Append(MetricCatalog.GoHeapReleased, ts, 24e6);
            store.Append(MetricCatalog.GoNextGc, ts, 40e6);
            store.Append(MetricCatalog.GoNumGc, ts, i);
            store.Append(MetricCatalog.GoGcCpuFraction, ts, 0.02);
            store.Append(MetricCatalog.GoGcHeapStart, ts, 38e6);
            store.Append(MetricCatalog.GoGcHeapEnd, ts, 39e6);
            store.Append(MetricCatalog.GoGcHeapLive, ts, 19e6);
            store.Append(MetricCatalog.GoGcHeapGoal, ts, 40e6);
            store.Append(MetricCatalog.GoGcStopTheWorld, ts, 0.0002);
            store.Append(MetricCatalog.GoGcMark, ts, 0.004);
            store.Append(MetricCatalog.GoGcCpu, ts, 0.02);
            store.Append(MetricCatalog.GoGcCount, ts, i);
            store.Append(MetricCatalog.GoScavengerReleased, ts, 24e6);
        }

        var (catalog, series) = await CatalogAndSeriesAsync(store, null, $"from={T0}&to={T0 + 29_999}&points=100");
        var shown = Visible(catalog, series);
        Assert.Equal(["process", "virtual", .. s_goCharts], shown);
    }

    [Fact]
    public async Task A_dotnet_process_shows_none_of_the_go_charts()
    {
        var store = new MetricStore();
        for (int i = 0; i < 30; i++)
        {
            long ts = T0 + (i * 1000L);
            store.Append(MetricCatalog.ProcessRss, ts, 90e6);
            store.Append(MetricCatalog.ProcessVirtual, ts, 1.2e9);
            store.Append(MetricCatalog.ProcessLazyFree, ts, 0);
            store.Append(MetricCatalog.GcHeapSize, ts, 20e6);
            store.Append(MetricCatalog.GcCommitted, ts, 30e6);
        }

        var (catalog, series) = await CatalogAndSeriesAsync(store, null, $"from={T0}&to={T0 + 29_999}&points=100");
        Assert.Equal(["process", "virtual", "runtime", "gap"], Visible(catalog, series));
    }

    [Fact]
    public async Task A_process_with_only_os_figures_shows_no_runtime_chart_not_even_the_gap()
    {
        var store = new MetricStore();
        for (int i = 0; i < 30; i++)
        {
            store.Append(MetricCatalog.ProcessRss, T0 + (i * 1000L), 90e6);
            store.Append(MetricCatalog.ProcessLazyFree, T0 + (i * 1000L), 0);
        }

        var (catalog, series) = await CatalogAndSeriesAsync(store, null, $"from={T0}&to={T0 + 29_999}&points=100");
        Assert.Equal(["process"], Visible(catalog, series));
    }

    /// <summary>The charts the page itself shows for these answers: its own rule, run by node (<see cref="PageChartRule"/>).</summary>
    private static string[] Visible(JsonElement catalog, JsonElement series) => PageChartRule.VisibleCharts(catalog, series);

    private static IEnumerable<JsonElement> Charts(JsonElement catalog) => catalog.GetProperty("charts").EnumerateArray();

    private static string[] SeriesIds(JsonElement chart) =>
        chart.GetProperty("series").EnumerateArray().Select(s => s.GetProperty("id").GetString()!).ToArray();

    private static IEnumerable<string> Requires(JsonElement chart) =>
        chart.TryGetProperty("requires", out var r) ? r.EnumerateArray().Select(x => x.GetString()!) : [];

    private static async Task<(JsonElement Catalog, JsonElement Series)> CatalogAndSeriesAsync(MetricStore store, string? ids, string range = "")
    {
        using var monitor = new MemLensMonitor(store, [], new MemLensTarget(1, "fixture", "native", false), new MemLensOptions());
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseTestServer();
        builder.Logging.ClearProviders();
        await using var app = builder.Build();
        app.MapMemLens("/m", monitor);
        await app.StartAsync();
        using var client = app.GetTestClient();
        var catalog = await Json.GetAsync(client, "/m/api/catalog");
        string query = range + (ids is null ? string.Empty : (range.Length > 0 ? "&" : string.Empty) + "ids=" + ids);
        var series = await Json.GetAsync(client, "/m/api/series?" + query);
        return (catalog, series);
    }
}
