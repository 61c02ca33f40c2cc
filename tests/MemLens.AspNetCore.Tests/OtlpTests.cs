using System.Text.Json;
using MemLens.Metrics;
using MemLens.OpenTelemetry;
using MemLens.Tests.Shared.Otlp;
using Xunit;

namespace MemLens.AspNetCore.Tests;

/// <summary><c>MemLensOptions.Otlp</c> on a real app monitoring this test process, pushing to a real OTLP receiver.</summary>
public class OtlpTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(8);

    [Fact]
    public async Task MemLensServer_Start_without_a_web_host_pushes_and_records_too()
    {
        await using var receiver = await OtlpReceiver.StartAsync();
        var folder = Directory.CreateTempSubdirectory("memlens-server-");
        string recording = Path.Combine(folder.FullName, "self.db");
        var server = MemLensServer.Start(new MemLensOptions
        {
            Otlp = new() { Endpoint = receiver.Endpoint, ExportInterval = TimeSpan.FromSeconds(1) },
            RecordTo = recording,
        });
        await using (server)
        {
            var request = await receiver.NextAsync(r => r.Metric("process.memory.rss") is not null, Wait);
            Assert.Equal((long)Environment.ProcessId, Assert.Single(request.ResourceMetrics).Attributes["process.pid"]);
        }

        Assert.True(new FileInfo(recording).Length > 0, "MemLensServer.Start did not record");
        Assert.DoesNotContain(server.Monitor.Store.GetEvents(0, long.MaxValue), e => e.Type is "otlp.error" or "recording.error");
        folder.Delete(recursive: true);
    }

    [Fact]
    public async Task The_app_pushes_its_own_rss_and_gc_heap_with_the_values_it_stored()
    {
        await using var receiver = await OtlpReceiver.StartAsync();
        await using var app = await DashboardApp.StartAsync(o => o.Otlp = new() { Endpoint = receiver.Endpoint, ExportInterval = TimeSpan.FromSeconds(1) });

        var request = await receiver.NextAsync(r => r.Metric("process.memory.rss") is not null && r.Metric("dotnet.gc.heap.size") is not null, Wait);

        var resource = Assert.Single(request.ResourceMetrics);
        var target = MemLensTarget.Current();
        Assert.Equal((long)Environment.ProcessId, resource.Attributes["process.pid"]);
        Assert.Equal(target.Name, resource.Attributes["process.executable.name"]);
        Assert.Equal(target.Name, resource.Attributes["service.name"]);
        Assert.Equal("dotnet", resource.Attributes["process.runtime.name"]);
        Assert.Equal("MemLens", Assert.Single(resource.Scopes).Name);

        foreach (var metric in new[] { MetricCatalog.ProcessRss, MetricCatalog.GcHeapSize })
        {
            var point = Assert.Single(request.Metric(metric.Name)!.Points);
            double pushed = point.AsDouble!.Value;
            Assert.True(pushed > 1024 * 1024, $"{metric.Name} = {pushed}");

            // The value the store held when the SDK collected: one of the samples of the seconds before that moment
            // (a second of slack after it: samples are stamped by a monotonic clock anchored to the wall clock once).
            long collectedMs = (long)(point.TimeUnixNano / 1_000_000);
            var stored = app.Monitor.Store.Query(metric, collectedMs - 3000, collectedMs + 1000, 10_000);
            Assert.False(stored.Downsampled);
            Assert.Contains(pushed, stored.Mean);
        }
    }

    [Fact]
    public async Task A_collector_that_is_down_is_one_otlp_error_event_in_the_dashboard_not_one_per_push()
    {
        // A collector that is down the way a crashed one behind a live port is: every connection is reset at once. It
        // counts the attempts, so the test knows when more pushes have failed instead of waiting a fixed time.
        using var down = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        down.Start();
        int port = ((System.Net.IPEndPoint)down.LocalEndpoint).Port;
        int attempts = 0;
        _ = Task.Run(async () =>
        {
            while (true)
            {
                try
                {
                    using var socket = await down.AcceptSocketAsync();
                    Interlocked.Increment(ref attempts);
                    socket.LingerState = new System.Net.Sockets.LingerOption(true, 0);
                }
                catch (Exception ex) when (ex is System.Net.Sockets.SocketException or ObjectDisposedException)
                {
                    return;
                }
            }
        });

        await using var app = await DashboardApp.StartAsync(o => o.Otlp = new() { Endpoint = new Uri($"http://127.0.0.1:{port}"), ExportInterval = TimeSpan.FromSeconds(1) });

        var error = Assert.Single(await WaitForAsync(() => OtlpEvents(app, "otlp.error"), errors => errors.Count > 0));
        string text = error.GetProperty("description").GetString()!;
        Assert.StartsWith($"OTLP export to http://127.0.0.1:{port}/v1/metrics failed", text, StringComparison.Ordinal);

        // Two more failed pushes reach the collector: still one event.
        int seen = Volatile.Read(ref attempts);
        Assert.True(SpinWait.SpinUntil(() => Volatile.Read(ref attempts) >= seen + 2, TimeSpan.FromSeconds(30)), $"{Volatile.Read(ref attempts) - seen} more pushes");
        Assert.Single(await OtlpEvents(app, "otlp.error"));
        down.Stop();
    }

    private static async Task<T> WaitForAsync<T>(Func<Task<T>> read, Func<T, bool> done)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        T value = await read();
        while (!done(value) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
            value = await read();
        }

        return value;
    }

    [Fact]
    public void Otlp_is_off_by_default_and_its_options_are_validated_with_the_others()
    {
        Assert.Null(new MemLensOptions().Otlp);
        var ex = Assert.Throws<ArgumentException>(() => MemLensMonitor.ForCurrentProcess(new MemLensOptions { Otlp = new OtlpExportOptions() }));
        Assert.Equal("Endpoint", ex.ParamName);
    }

    private static async Task<List<JsonElement>> OtlpEvents(DashboardApp app, string type)
    {
        long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var body = await Json.GetAsync(app.Client, $"/debug/memlens/api/events?from={now - 60_000}&to={now + 1000}");
        return body.GetProperty("events").EnumerateArray().Where(e => e.GetProperty("type").GetString() == type).ToList();
    }
}
