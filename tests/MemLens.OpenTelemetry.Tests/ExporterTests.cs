using System.Diagnostics;
using System.Reflection;
using MemLens.Exporting;
using MemLens.Metrics;
using MemLens.Tests.Shared.Otlp;
using Xunit;

namespace MemLens.OpenTelemetry.Tests;

/// <summary>The exporter against a real OTLP/HTTP receiver: what a push carries.</summary>
public class ExporterTests
{
    [Fact]
    public async Task A_push_carries_every_series_with_the_catalog_name_unit_help_kind_and_the_store_latest_value()
    {
        await using var receiver = await OtlpReceiver.StartAsync();
        var store = Pushes.Store(MetricCatalog.All);
        var process = new ExportedProcess(4242, "orders-api", "go");
        var options = Pushes.Options(receiver.Endpoint);
        options.ResourceAttributes["deployment.environment.name"] = "test";
        options.ResourceAttributes["memlens.test.flag"] = true;
        options.ResourceAttributes["memlens.test.ratio"] = 0.25;
        options.ResourceAttributes["memlens.test.count"] = 7;
        ulong before = (ulong)DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1_000_000;

        using var exporter = MemLensOtlpExporter.Start(store, process, options);
        Assert.True(exporter.ForceFlush(Pushes.Wait), exporter.LastError);
        var request = await receiver.From(process);

        Assert.Equal("application/x-protobuf", request.Headers["Content-Type"]);
        Assert.Equal("gzip", request.ContentEncoding);
        Assert.True(request.WireBytes < request.ProtobufBytes, $"{request.WireBytes} bytes gzipped, {request.ProtobufBytes} plain");
        var resource = Assert.Single(request.ResourceMetrics);
        Assert.Equal("orders-api", resource.Attributes["service.name"]);
        Assert.Equal($"{Environment.MachineName}:4242", resource.Attributes["service.instance.id"]);
        Assert.Equal(4242L, resource.Attributes["process.pid"]);
        Assert.Equal("orders-api", resource.Attributes["process.executable.name"]);
        Assert.Equal("go", resource.Attributes["process.runtime.name"]);
        Assert.Equal(Environment.MachineName, resource.Attributes["host.name"]);
        Assert.Equal("test", resource.Attributes["deployment.environment.name"]);
        Assert.Equal(true, resource.Attributes["memlens.test.flag"]);
        Assert.Equal(0.25, resource.Attributes["memlens.test.ratio"]);
        Assert.Equal(7L, resource.Attributes["memlens.test.count"]);

        var scope = Assert.Single(resource.Scopes);
        Assert.Equal("MemLens", scope.Name);
        string version = typeof(MemLensOtlpExporter).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion;
        Assert.Equal(version, scope.Version);

        Assert.Equal(MetricCatalog.All.Select(m => m.Name).Order(), scope.Metrics.Select(m => m.Name).Order());
        ulong after = (ulong)DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1_000_000;
        foreach (var metric in MetricCatalog.All)
        {
            var pushed = scope.Metrics.Single(m => m.Name == metric.Name);
            Assert.Equal(metric.Help, pushed.Description);
            Assert.Equal(
                metric.Unit switch { MetricUnit.Bytes => "By", MetricUnit.Seconds => "s", MetricUnit.Ratio => "1", _ => "{count}" },
                pushed.Unit);
            if (metric.Kind == MetricKind.Counter)
            {
                Assert.Equal(OtlpMetricType.Sum, pushed.Type);
                Assert.True(pushed.IsMonotonic, metric.Name);
                Assert.Equal(OtlpTemporality.Cumulative, pushed.Temporality);
            }
            else
            {
                Assert.Equal(OtlpMetricType.Gauge, pushed.Type);
            }

            var point = Assert.Single(pushed.Points);
            Assert.Equal(0, point.AttributeCount);
            Assert.True(store.TryGetLatest(metric, out _, out double latest));
            Assert.Equal(latest, point.AsDouble);
            Assert.InRange(point.TimeUnixNano, before, after);
        }
    }

    [Fact]
    public async Task A_series_without_a_value_is_left_out_not_pushed_as_zero()
    {
        await using var receiver = await OtlpReceiver.StartAsync();
        var store = Pushes.Store([MetricCatalog.ProcessRss, MetricCatalog.GcAllocated]);
        var process = new ExportedProcess(4243, "api", "dotnet");

        using var exporter = MemLensOtlpExporter.Start(store, process, Pushes.Options(receiver.Endpoint));
        Assert.True(exporter.ForceFlush(Pushes.Wait), exporter.LastError);
        var request = await receiver.From(process);

        Assert.Equal(["dotnet.gc.allocated", "process.memory.rss"], request.Metrics.Select(m => m.Metric.Name).Order());
        Assert.Equal(Pushes.KnownValue(MetricCatalog.ProcessRss), request.Metric("process.memory.rss")!.Points.Single().AsDouble);
    }

    [Fact]
    public async Task A_series_that_gets_its_first_value_later_appears_in_the_next_push()
    {
        await using var receiver = await OtlpReceiver.StartAsync();
        var store = Pushes.Store([MetricCatalog.ProcessRss]);
        var process = new ExportedProcess(4244, "api", "dotnet");

        using var exporter = MemLensOtlpExporter.Start(store, process, Pushes.Options(receiver.Endpoint));
        Assert.True(exporter.ForceFlush(Pushes.Wait), exporter.LastError);
        var first = await receiver.From(process);
        Assert.Null(first.Metric("process.memory.pss"));

        store.Append(MetricCatalog.ProcessPss, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() + 1, 123_456);
        Assert.True(exporter.ForceFlush(Pushes.Wait), exporter.LastError);
        var later = await receiver.NextAsync(r => r.Sequence > first.Sequence && r.Metric("process.memory.pss") is not null, Pushes.Wait);
        Assert.Equal(123_456, later.Metric("process.memory.pss")!.Points.Single().AsDouble);
    }

    [Fact]
    public async Task Two_exporters_in_one_process_each_push_only_their_own_store()
    {
        await using var receiver = await OtlpReceiver.StartAsync();
        var first = new ExportedProcess(5001, "first", "dotnet");
        var second = new ExportedProcess(5002, "second", "go");
        var firstStore = Pushes.Store([MetricCatalog.ProcessRss]);
        var secondStore = Pushes.Store([MetricCatalog.ProcessRss, MetricCatalog.GcHeapSize], scale: 3);

        using var one = MemLensOtlpExporter.Start(firstStore, first, Pushes.Options(receiver.Endpoint));
        using var two = MemLensOtlpExporter.Start(secondStore, second, Pushes.Options(receiver.Endpoint));
        Assert.True(one.ForceFlush(Pushes.Wait), one.LastError);
        Assert.True(two.ForceFlush(Pushes.Wait), two.LastError);
        await receiver.From(first);
        await receiver.From(second);

        // Every push so far, periodic ones included: each names one process and carries that process's store only.
        foreach (var request in receiver.Requests)
        {
            var resource = Assert.Single(request.ResourceMetrics);
            long pid = (long)resource.Attributes["process.pid"]!;
            var names = request.Metrics.Select(m => m.Metric.Name).ToList();
            Assert.Equal(names.Distinct(), names);
            if (pid == first.ProcessId)
            {
                Assert.Equal(["process.memory.rss"], names);
                Assert.Equal(Pushes.KnownValue(MetricCatalog.ProcessRss), request.Metric("process.memory.rss")!.Points.Single().AsDouble);
            }
            else
            {
                Assert.Equal(second.ProcessId, pid);
                Assert.Equal(["dotnet.gc.heap.size", "process.memory.rss"], names.Order());
                Assert.Equal(3 * Pushes.KnownValue(MetricCatalog.ProcessRss), request.Metric("process.memory.rss")!.Points.Single().AsDouble);
            }
        }
    }

    [Fact]
    public async Task Headers_are_sent_as_given_with_commas_and_percent_signs_intact()
    {
        await using var receiver = await OtlpReceiver.StartAsync();
        var process = new ExportedProcess(4245, "api", "dotnet");
        var options = Pushes.Options(receiver.Endpoint);
        options.Headers["Authorization"] = "Bearer a,b%2Cc=";
        options.Headers["X-Scope-OrgID"] = "tenant-1";

        using var exporter = MemLensOtlpExporter.Start(Pushes.Store([MetricCatalog.ProcessRss]), process, options);
        Assert.True(exporter.ForceFlush(Pushes.Wait), exporter.LastError);
        var request = await receiver.From(process);

        Assert.Equal("Bearer a,b%2Cc=", request.Headers["Authorization"]);
        Assert.Equal("tenant-1", request.Headers["X-Scope-OrgID"]);
        Assert.StartsWith("MemLens/", request.Headers["User-Agent"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Service_name_can_be_given_and_user_attributes_come_last()
    {
        await using var receiver = await OtlpReceiver.StartAsync();
        var process = new ExportedProcess(4246, "api", "dotnet");
        var options = Pushes.Options(receiver.Endpoint);
        options.ServiceName = "checkout";
        options.ResourceAttributes["host.name"] = "node-7";

        using var exporter = MemLensOtlpExporter.Start(Pushes.Store([MetricCatalog.ProcessRss]), process, options);
        Assert.True(exporter.ForceFlush(Pushes.Wait), exporter.LastError);
        var resource = (await receiver.From(process)).ResourceMetrics.Single();

        Assert.Equal("checkout", resource.Attributes["service.name"]);
        Assert.Equal("api", resource.Attributes["process.executable.name"]);
        Assert.Equal("node-7", resource.Attributes["host.name"]);
    }

    [Fact]
    public async Task Pushes_come_every_interval_without_flushing()
    {
        // Two exporters side by side, never flushed: one every second, one every 10 minutes (the longest interval).
        // The second's silence is judged while the first pushes three times, not over a fixed window.
        await using var receiver = await OtlpReceiver.StartAsync();
        var process = new ExportedProcess(4247, "api", "dotnet");
        var idle = new ExportedProcess(4249, "api", "dotnet");
        var slowOptions = Pushes.Options(receiver.Endpoint);
        slowOptions.ExportInterval = OtlpExportOptions.MaximumExportInterval;

        var started = Stopwatch.StartNew();
        using var slow = MemLensOtlpExporter.Start(Pushes.Store([MetricCatalog.ProcessRss]), idle, slowOptions);
        using var exporter = MemLensOtlpExporter.Start(Pushes.Store([MetricCatalog.ProcessRss]), process, Pushes.Options(receiver.Endpoint));
        var first = await receiver.From(process);
        var second = await receiver.NextAsync(r => r.Sequence > first.Sequence && IsFrom(r, process), TimeSpan.FromSeconds(30));
        await receiver.NextAsync(r => r.Sequence > second.Sequence && IsFrom(r, process), TimeSpan.FromSeconds(30));

        // The receiver has the push before the exporter has read the answer.
        Assert.True(SpinWait.SpinUntil(() => exporter.Exports >= 3, Pushes.Wait));
        Assert.Equal(0, exporter.Failures);
        Assert.DoesNotContain(receiver.Requests, r => IsFrom(r, idle));
        Assert.Equal(0, slow.Exports + slow.Failures);

        // Never more often than the interval: a slow machine only pushes less often, so this bound cannot fail for it.
        long pushes = receiver.Requests.Count(r => IsFrom(r, process));
        var elapsed = started.Elapsed; // read after counting: every push counted was made by then
        Assert.True(pushes <= (long)elapsed.TotalSeconds + 1, $"{pushes} pushes in {elapsed.TotalSeconds:0.0} s at one a second");
    }

    private static bool IsFrom(OtlpExportRequest request, ExportedProcess process) =>
        request.ResourceMetrics.Any(rm => Equals(rm.Attributes.GetValueOrDefault("process.pid"), (long)process.ProcessId));

    [Fact]
    public async Task Dispose_pushes_the_latest_values_once_more()
    {
        await using var receiver = await OtlpReceiver.StartAsync();
        var store = Pushes.Store([MetricCatalog.ProcessRss]);
        var process = new ExportedProcess(4248, "api", "dotnet");
        var options = Pushes.Options(receiver.Endpoint);
        options.ExportInterval = TimeSpan.FromMinutes(10);

        var exporter = MemLensOtlpExporter.Start(store, process, options);
        store.Append(MetricCatalog.ProcessRss, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() + 1, 777_777);
        exporter.Dispose();

        var request = await receiver.From(process);
        Assert.Equal(777_777, request.Metric("process.memory.rss")!.Points.Single().AsDouble);
        Assert.Equal(1, exporter.Exports);
        Assert.False(exporter.ForceFlush(Pushes.Wait));
        exporter.Dispose();
    }

    [Theory]
    [InlineData("http://collector:4318", "http://collector:4318/v1/metrics")]
    [InlineData("http://collector:4318/", "http://collector:4318/v1/metrics")]
    [InlineData("https://collector:4318/v1/metrics", "https://collector:4318/v1/metrics")]
    [InlineData("http://collector:4318/v1/metrics/", "http://collector:4318/v1/metrics")]
    [InlineData("http://gateway/otlp", "http://gateway/otlp/v1/metrics")]
    [InlineData("http://gateway/otlp/", "http://gateway/otlp/v1/metrics")]
    public void The_metrics_path_is_appended_unless_the_endpoint_ends_with_it(string endpoint, string expected) =>
        Assert.Equal(new Uri(expected), new OtlpExportOptions { Endpoint = new Uri(endpoint) }.MetricsUrl());

    [Fact]
    public void The_exporter_says_where_it_pushes()
    {
        using var exporter = MemLensOtlpExporter.Start(
            Pushes.Store([]), new ExportedProcess(1, "x", "native"), new OtlpExportOptions { Endpoint = new Uri("http://127.0.0.1:9/otlp") });
        Assert.Equal(new Uri("http://127.0.0.1:9/otlp/v1/metrics"), exporter.Endpoint);
    }
}
