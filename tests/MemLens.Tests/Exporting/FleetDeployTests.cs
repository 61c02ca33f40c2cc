using System.Text.Json;
using MemLens.Exporting;
using MemLens.Tests.Shared;
using MemLens.Tests.Support;
using Xunit;

namespace MemLens.Tests.Exporting;

/// <summary>deploy/: the Grafana dashboard and the Prometheus example that ship with MemLens.</summary>
public sealed class FleetDeployTests
{
    private static JsonDocument LoadDashboard() => JsonDocument.Parse(File.ReadAllText(GrafanaDashboard.PathIn(RepositoryRoot.Path)));

    [Fact]
    public void The_Grafana_dashboard_is_a_dashboard_whose_queries_select_only_metrics_MemLens_exports()
    {
        using var doc = LoadDashboard();
        var root = doc.RootElement;
        Assert.False(string.IsNullOrWhiteSpace(root.GetProperty("title").GetString()));
        Assert.Equal("memlens-fleet", root.GetProperty("uid").GetString());
        Assert.True(root.GetProperty("schemaVersion").GetInt32() >= 36);

        var exported = PrometheusNames.All.ToHashSet(StringComparer.Ordinal);
        var queries = GrafanaDashboard.Queries(root);
        Assert.True(queries.Count >= 20, $"only {queries.Count} queries");
        var used = new HashSet<string>(StringComparer.Ordinal);
        foreach (var query in queries)
        {
            var names = GrafanaDashboard.MetricNames(query.Expr);
            Assert.True(names.Count > 0, $"{query.Panel} {query.RefId}: no metric in {query.Expr}");
            foreach (string name in names)
            {
                Assert.True(exported.Contains(name), $"{query.Panel} {query.RefId}: {name} is not a metric MemLens exports ({query.Expr})");
                used.Add(name);
            }
        }

        // What the issue asks the dashboard to show.
        foreach (string needed in new[]
                 {
                     "memlens_process_memory_rss_bytes", "memlens_process_memory_pss_bytes", "memlens_dotnet_gc_heap_size_bytes",
                     "memlens_dotnet_gc_committed_bytes", "memlens_dotnet_gc_pause_time_seconds_total",
                     "memlens_container_memory_usage_bytes", "memlens_container_memory_limit_bytes",
                 })
        {
            Assert.Contains(needed, used);
        }
    }

    [Fact]
    public void Every_panel_has_a_place_a_description_and_distinct_query_ids()
    {
        using var doc = LoadDashboard();
        var ids = new HashSet<int>();
        foreach (var panel in GrafanaDashboard.Panels(doc.RootElement.GetProperty("panels")))
        {
            string title = panel.GetProperty("title").GetString()!;
            Assert.True(ids.Add(panel.GetProperty("id").GetInt32()), $"panel id of {title} is used twice");
            var grid = panel.GetProperty("gridPos");
            Assert.InRange(grid.GetProperty("x").GetInt32() + grid.GetProperty("w").GetInt32(), 1, 24);
            if (panel.GetProperty("type").GetString() == "row")
            {
                continue;
            }

            Assert.False(string.IsNullOrWhiteSpace(panel.GetProperty("description").GetString()), $"{title} has no description");
            Assert.Equal("${datasource}", panel.GetProperty("datasource").GetProperty("uid").GetString());
            var refIds = panel.GetProperty("targets").EnumerateArray().Select(t => t.GetProperty("refId").GetString()).ToList();
            Assert.Equal(refIds.Count, refIds.Distinct().Count());
        }
    }

    [Theory]
    [InlineData("rate(memlens_dotnet_gc_pause_time_seconds_total{job=~\"$job\"}[$__rate_interval])", "memlens_dotnet_gc_pause_time_seconds_total")]
    [InlineData("a_metric - on(job, instance) b_metric", "a_metric,b_metric")]
    [InlineData("sum by (instance) (x_total) / ignoring(pid) y", "x_total,y")]
    [InlineData("label_values(memlens_process_memory_rss_bytes{job=~\"$job\"}, instance)", "memlens_process_memory_rss_bytes")]
    [InlineData("topk(5, m{a=\"b,c\"}) offset 5m", "m")]
    public void Metric_names_are_found_in_PromQL(string expr, string expected)
    {
        Assert.Equal(expected.Split(',').Order(), GrafanaDashboard.MetricNames(expr).Order());
    }

    [Fact]
    public async Task The_Prometheus_example_is_a_valid_configuration()
    {
        string path = Path.Combine(RepositoryRoot.Path, "deploy", "prometheus", "example.yml");
        var (exit, output) = await Promtool.CheckConfigAsync(path);
        Assert.True(exit == 0, $"promtool check config said (exit {exit}): {output}");
    }
}
