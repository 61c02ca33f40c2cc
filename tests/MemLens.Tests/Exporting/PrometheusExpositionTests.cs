using System.Buffers;
using System.Globalization;
using System.Text.RegularExpressions;
using MemLens.Exporting;
using MemLens.Metrics;
using MemLens.Storage;
using MemLens.Tests.Shared;
using Xunit;

namespace MemLens.Tests.Exporting;

public sealed partial class PrometheusExpositionTests
{
    private static readonly ExportedProcess s_process = new(4242, "svc", "dotnet");

    [GeneratedRegex("^[a-zA-Z_:][a-zA-Z0-9_:]*$")]
    private static partial Regex ValidName();

    // name{pid="…",process_name="…",runtime="…"} value
    [GeneratedRegex("""^(?<name>[a-z_:][a-z0-9_:]*)\{pid="(?<pid>\d+)",process_name="(?<pn>(?:[^"\\]|\\.)*)",runtime="(?<rt>[a-z]+)"\} (?<value>\S+)$""")]
    private static partial Regex SampleLine();

    [Fact]
    public void Every_catalog_metric_has_a_distinct_valid_name_with_its_unit_and_kind()
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var metric in MetricCatalog.All)
        {
            string name = PrometheusNames.Of(metric);
            Assert.Matches(ValidName(), name);
            Assert.StartsWith("memlens_", name, StringComparison.Ordinal);
            Assert.True(names.Add(name), $"{name} is given to two metrics");
            string withoutTotal = name.EndsWith("_total", StringComparison.Ordinal) ? name[..^6] : name;
            Assert.Equal(metric.Kind == MetricKind.Counter, name.EndsWith("_total", StringComparison.Ordinal));
            switch (metric.Unit)
            {
                case MetricUnit.Bytes: Assert.EndsWith("_bytes", withoutTotal, StringComparison.Ordinal); break;
                case MetricUnit.Seconds: Assert.EndsWith("_seconds", withoutTotal, StringComparison.Ordinal); break;
                case MetricUnit.Ratio: Assert.EndsWith("_ratio", withoutTotal, StringComparison.Ordinal); break;
                default: Assert.DoesNotMatch("_(bytes|seconds|ratio)$", withoutTotal); break;
            }
        }

        Assert.Equal(names.Order(StringComparer.Ordinal), PrometheusNames.All.Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("process.memory.rss", "memlens_process_memory_rss_bytes")]
    [InlineData("process.threads", "memlens_process_threads")]
    [InlineData("dotnet.gc.heap.size", "memlens_dotnet_gc_heap_size_bytes")]
    [InlineData("dotnet.gc.pause.time", "memlens_dotnet_gc_pause_time_seconds_total")]
    [InlineData("dotnet.gc.collections", "memlens_dotnet_gc_collections_total")]
    [InlineData("dotnet.gc.allocated", "memlens_dotnet_gc_allocated_bytes_total")]
    [InlineData("go.memstats.pause_total", "memlens_go_memstats_pause_seconds_total")]
    [InlineData("go.gc.cpu", "memlens_go_gc_cpu_ratio")]
    [InlineData("container.memory.limit", "memlens_container_memory_limit_bytes")]
    public void Names_follow_prometheus_conventions(string catalogName, string expected)
    {
        Assert.True(MetricCatalog.TryGet(catalogName, out var metric));
        Assert.Equal(expected, PrometheusNames.Of(metric));
    }

    [Fact]
    public async Task A_store_with_every_metric_passes_promtool_and_reads_back_exactly()
    {
        // A name with every character the format escapes, and one beyond ASCII.
        var process = new ExportedProcess(31337, "we\"ird\\name\nsvc ü", "go");
        var store = new MetricStore();
        var expected = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var metric in MetricCatalog.All)
        {
            // Whole byte counts, fractions, a huge figure and zero: each form the writer has.
            double value = (metric.Id % 4) switch
            {
                0 => 123_456_789.0 * (metric.Id + 1),
                1 => 0.000_123_4 * (metric.Id + 1),
                2 => 1e20 + metric.Id * 1e6,
                _ => 0,
            };
            store.Append(metric, 1_000, value);
            expected[PrometheusNames.Of(metric)] = value;
        }

        string text = new PrometheusExposition(process).WriteToString(store);

        var (exit, output) = await Promtool.CheckMetricsAsync(text);
        Assert.True(exit == 0 && output.Length == 0, $"promtool check metrics said (exit {exit}): {output}");

        var seen = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (string line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => !l.StartsWith('#')))
        {
            var match = SampleLine().Match(line);
            Assert.True(match.Success, $"not a sample line: {line}");
            Assert.Equal("31337", match.Groups["pid"].Value);
            Assert.Equal(process.Name, Unescape(match.Groups["pn"].Value));
            Assert.Equal("go", match.Groups["rt"].Value);
            seen.Add(match.Groups["name"].Value, double.Parse(match.Groups["value"].Value, CultureInfo.InvariantCulture));
        }

        Assert.Equal(expected, seen);
        foreach (var metric in MetricCatalog.All)
        {
            string name = PrometheusNames.Of(metric);
            Assert.Contains($"# TYPE {name} {(metric.Kind == MetricKind.Counter ? "counter" : "gauge")}\n", text, StringComparison.Ordinal);
            Assert.Contains($"# HELP {name} {metric.Help.Replace("\\", "\\\\", StringComparison.Ordinal)}\n", text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Only_series_with_a_value_are_written()
    {
        var store = new MetricStore();
        store.Append(MetricCatalog.ProcessRss, 1_000, 1.5e9);
        store.Append(MetricCatalog.GcCollections, 1_000, 7);

        string text = new PrometheusExposition(s_process).WriteToString(store);

        Assert.Equal(
            """
            memlens_process_memory_rss_bytes{pid="4242",process_name="svc",runtime="dotnet"} 1500000000
            memlens_dotnet_gc_collections_total{pid="4242",process_name="svc",runtime="dotnet"} 7
            """,
            string.Join('\n', text.Split('\n').Where(l => l.Length > 0 && !l.StartsWith('#'))));
        Assert.Equal(4, text.Split('\n').Count(l => l.StartsWith('#')));
        Assert.Empty(new PrometheusExposition(s_process).WriteToString(new MetricStore()));
    }

    [Fact]
    public void The_newest_value_is_written()
    {
        var store = new MetricStore();
        store.Append(MetricCatalog.ProcessRss, 1_000, 100);
        store.Append(MetricCatalog.ProcessRss, 2_000, 200);
        var exposition = new PrometheusExposition(s_process);

        Assert.Contains("} 200\n", exposition.WriteToString(store), StringComparison.Ordinal);
        store.Append(MetricCatalog.ProcessRss, 3_000, 150.25);
        Assert.Contains("} 150.25\n", exposition.WriteToString(store), StringComparison.Ordinal);
    }

    [Fact]
    public void A_scrape_allocates_nothing_once_warm()
    {
        var store = new MetricStore();
        foreach (var metric in MetricCatalog.All)
        {
            store.Append(metric, 1_000, metric.Id * 1024.5);
        }

        var exposition = new PrometheusExposition(s_process);
        var buffer = new ArrayBufferWriter<byte>(256 * 1024);
        exposition.Write(buffer, store);
        buffer.Clear();

        long before = GC.GetAllocatedBytesForCurrentThread();
        exposition.Write(buffer, store);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.True(buffer.WrittenCount > 10_000);
    }

    private static string Unescape(string label) =>
        Regex.Replace(label, @"\\(.)", m => m.Groups[1].Value == "n" ? "\n" : m.Groups[1].Value);
}
