using System.Globalization;
using System.Text.Json;
using MemLens.Tests.Shared.Otlp;
using Xunit;

namespace MemLens.EndToEnd.Tests.Fleet;

/// <summary>
/// <c>memlens watch &lt;pid&gt; --otlp URL</c> with the real OpenTelemetry exporter, received by a real HTTP listener in
/// the test and decoded from protobuf: what arrives is the watched process's figures, as the tool printed them.
/// </summary>
public sealed class OtlpPushTests
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Watch_pushes_the_watched_process_figures_with_its_identity_over_OTLP()
    {
        await using var receiver = await OtlpReceiver.StartAsync();
        await using var demo = await DemoProcess.StartAsync("--scenario", "leak", "--rate", "4", "--max-mb", "128");
        await using var tool = RunningTool.Start("watch", demo.Pid.ToString(CultureInfo.InvariantCulture), "--json-lines", "--no-record",
            "--otlp", receiver.Endpoint.ToString(), "--otlp-interval", "1s", "--otlp-header", "api-key=fleet-42");
        string said = await tool.WaitForStderrLineAsync("memlens: pushing OTLP to ", s_wait);
        Assert.StartsWith(new Uri(receiver.Endpoint, "/v1/metrics").ToString(), said, StringComparison.Ordinal);

        // A push that has the runtime's figures too (attached over EventPipe, after the first GC).
        var push = await receiver.NextAsync(r => r.Metric("dotnet.gc.heap.size") is not null && r.Metric("process.memory.rss") is not null, s_wait);

        Assert.Equal("fleet-42", push.Headers["api-key"]);
        var resource = Assert.Single(push.ResourceMetrics);
        Assert.Equal((long)demo.Pid, resource.Attributes["process.pid"]);
        Assert.Equal("MemLens.Demo", resource.Attributes["process.executable.name"]);
        Assert.Equal("dotnet", resource.Attributes["process.runtime.name"]);
        Assert.Equal("MemLens.Demo", resource.Attributes["service.name"]);
        Assert.Equal("MemLens", Assert.Single(resource.Scopes).Name);

        var rss = push.Metric("process.memory.rss")!;
        Assert.Equal(("By", OtlpMetricType.Gauge), (rss.Unit, rss.Type));
        var collections = push.Metric("dotnet.gc.collections")!;
        Assert.Equal(("{count}", OtlpMetricType.Sum, true, OtlpTemporality.Cumulative), (collections.Unit, collections.Type, collections.IsMonotonic, collections.Temporality));
        Assert.Null(push.Metric("go.memstats.heap_alloc")); // a .NET process has no Go figures: absent, not 0

        // The values are the tool's own: each pushed value is one the tool printed as a sample (the same store).
        await Task.Delay(1500);
        var printed = tool.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => JsonDocument.Parse(line).RootElement.GetProperty("metrics"))
            .ToList();
        foreach (string name in new[] { "process.memory.rss", "dotnet.gc.heap.size", "dotnet.gc.collections" })
        {
            double pushed = Assert.Single(push.Metric(name)!.Points).Value;
            var values = printed.Where(m => m.TryGetProperty(name, out _)).Select(m => m.GetProperty(name).GetDouble()).ToList();
            Assert.True(values.Contains(pushed), $"{name}: pushed {pushed}, printed {string.Join(", ", values.TakeLast(10))}");
        }

        // Ctrl+C ends the watch cleanly with the exporter running (its last push is bounded to 5 s).
        Assert.Equal(0, await tool.InterruptAsync(TimeSpan.FromSeconds(30)));
        Assert.Empty(receiver.Errors);
    }
}
