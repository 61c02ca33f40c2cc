using System.Net;
using System.Text;
using System.Text.Json;
using MemLens.AspNetCore.Streaming;
using MemLens.Events;
using MemLens.Metrics;
using MemLens.Sampling;
using MemLens.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Logging;
using Xunit;

namespace MemLens.AspNetCore.Tests;

public class StreamTests
{
    private const string Base = "/debug/memlens/";

    [Fact]
    public async Task The_stream_sends_status_first_then_live_samples_and_events()
    {
        await using var app = await DashboardApp.StartAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var response = await app.Client.GetAsync(Base + "api/stream", HttpCompletionOption.ResponseHeadersRead, cts.Token);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType!.MediaType);
        using var reader = new SseReader(await response.Content.ReadAsStreamAsync(cts.Token));

        var first = await reader.NextAsync(cts.Token);
        Assert.Equal("status", first.Event);
        Assert.True(JsonDocument.Parse(first.Data).RootElement.GetProperty("sources").GetArrayLength() > 0);

        app.Monitor.SampleNow();
        var sample = await reader.NextAsync(e => e.Event == "sample" && e.Data.Contains("process.memory.rss", StringComparison.Ordinal), cts.Token);
        var values = JsonDocument.Parse(sample.Data).RootElement.GetProperty("values");
        Assert.True(values.GetProperty("process.memory.rss").GetDouble() > 0);

        long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        app.Monitor.RecordEvent(new NoteEvent(now, "note", "hello stream"));
        var ev = await reader.NextAsync(e => e.Event == "event" && e.Data.Contains("hello stream", StringComparison.Ordinal), cts.Token);
        Assert.Equal(now, JsonDocument.Parse(ev.Data).RootElement.GetProperty("ts").GetInt64());
    }

    [Fact]
    public async Task Counters_arrive_with_their_rate_and_rss_with_the_gap()
    {
        await using var app = await DashboardApp.StartAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var response = await app.Client.GetAsync(Base + "api/stream", HttpCompletionOption.ResponseHeadersRead, cts.Token);
        using var reader = new SseReader(await response.Content.ReadAsStreamAsync(cts.Token));
        GC.Collect(); // so the GC source has committed bytes to subtract
        var sample = await reader.NextAsync(e => e.Event == "sample" && e.Data.Contains("rate:dotnet.gc.allocated", StringComparison.Ordinal), cts.Token);
        var values = JsonDocument.Parse(sample.Data).RootElement.GetProperty("values");
        Assert.True(values.GetProperty("rate:dotnet.gc.allocated").GetDouble() >= 0);
        var withGap = await reader.NextAsync(e => e.Event == "sample" && e.Data.Contains("derived.gap", StringComparison.Ordinal) && e.Data.Contains("process.memory.rss", StringComparison.Ordinal), cts.Token);
        var v = JsonDocument.Parse(withGap.Data).RootElement.GetProperty("values");
        double rss = v.GetProperty("process.memory.rss").GetDouble();
        double gap = v.GetProperty("derived.gap").GetDouble();

        // RSS and GC committed come from different sources, so the gap pairs this RSS with a committed value
        // the GC source recorded: it must be one of those in the store.
        var recorded = app.Monitor.Store.Query(MemLens.Metrics.MetricCatalog.GcCommitted, 0, long.MaxValue, 100_000);
        Assert.Contains(rss - gap, recorded.Mean.Take(recorded.Count));
    }

    [Fact]
    public async Task Go_memstats_arrive_with_their_differences()
    {
        using var monitor = new MemLensMonitor(new MetricStore(), [new GoMemStatsSource()], new MemLensTarget(1, "gosvc", "go", false), new MemLensOptions());
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseTestServer();
        builder.Logging.ClearProviders();
        await using var app = builder.Build();
        app.MapMemLens("/m", monitor);
        await app.StartAsync();
        using var client = app.GetTestClient();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var response = await client.GetAsync("/m/api/stream", HttpCompletionOption.ResponseHeadersRead, cts.Token);
        using var reader = new SseReader(await response.Content.ReadAsStreamAsync(cts.Token));
        await reader.NextAsync(cts.Token); // status: connected

        monitor.SampleNow();
        var sample = await reader.NextAsync(e => e.Event == "sample", cts.Token);
        var values = JsonDocument.Parse(sample.Data).RootElement.GetProperty("values");
        Assert.Equal(GoMemStatsSource.HeapIdle - GoMemStatsSource.HeapReleased, values.GetProperty("derived.go.idle_kept").GetDouble());
        Assert.Equal(GoMemStatsSource.HeapSys - GoMemStatsSource.HeapReleased, values.GetProperty("derived.go.retained").GetDouble());
        Assert.False(values.TryGetProperty("derived.gap", out _)); // RSS, but no GC committed
    }

    [Fact]
    public void A_slow_client_has_frames_dropped_and_counted_instead_of_a_growing_queue()
    {
        var client = new StreamClient(capacity: 4);
        int accepted = 0;
        for (int i = 0; i < 100; i++)
        {
            if (client.Offer(new byte[] { (byte)i }))
            {
                accepted++;
            }
        }

        Assert.Equal(4, accepted);
        Assert.Equal(96, client.TakeDropped());
        Assert.Equal(0, client.TakeDropped());
        Assert.Equal(96, client.TotalDropped);
        // The oldest frames are kept in order; nothing beyond the bound was stored.
        Assert.True(client.Reader.TryRead(out var f0));
        Assert.Equal(0, f0[0]);
        Assert.Equal(3, client.Reader.Count);
    }

    [Fact]
    public async Task Clients_beyond_the_limit_get_503()
    {
        await using var app = await DashboardApp.StartAsync(o => o.MaxStreamClients = 1);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var first = await app.Client.GetAsync(Base + "api/stream", HttpCompletionOption.ResponseHeadersRead, cts.Token);
        using var reader = new SseReader(await first.Content.ReadAsStreamAsync(cts.Token));
        await reader.NextAsync(cts.Token); // connected for sure
        using var second = await app.Client.GetAsync(Base + "api/stream", HttpCompletionOption.ResponseHeadersRead, cts.Token);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, second.StatusCode);
    }

    /// <summary>A Go program's MemStats and its RSS, as the pprof poller and /proc would write them.</summary>
    private sealed class GoMemStatsSource : IMetricSource
    {
        public const double HeapSys = 64 << 20;
        public const double HeapIdle = 40 << 20;
        public const double HeapReleased = 24 << 20;

        public string Name => "fake-go";

        public TimeSpan Interval => TimeSpan.FromSeconds(1);

        public void Sample(ISampleWriter writer)
        {
            writer.Write(MetricCatalog.ProcessRss, 90 << 20);
            writer.Write(MetricCatalog.GoHeapSys, HeapSys);
            writer.Write(MetricCatalog.GoHeapIdle, HeapIdle);
            writer.Write(MetricCatalog.GoHeapReleased, HeapReleased);
        }

        public void Dispose()
        {
        }
    }

    /// <summary>Reads server-sent events: blank-line separated blocks of <c>event:</c> and <c>data:</c> lines.</summary>
    internal sealed class SseReader(Stream stream) : IDisposable
    {
        private readonly StreamReader _reader = new(stream, Encoding.UTF8);

        public async Task<(string Event, string Data)> NextAsync(CancellationToken ct)
        {
            string? name = null;
            var data = new StringBuilder();
            while (true)
            {
                string? line = await _reader.ReadLineAsync(ct) ?? throw new EndOfStreamException("stream ended");
                if (line.Length == 0)
                {
                    if (name is not null || data.Length > 0)
                    {
                        return (name ?? "message", data.ToString());
                    }

                    continue;
                }

                if (line.StartsWith("event: ", StringComparison.Ordinal))
                {
                    name = line[7..];
                }
                else if (line.StartsWith("data: ", StringComparison.Ordinal))
                {
                    data.Append(line[6..]);
                }
            }
        }

        public async Task<(string Event, string Data)> NextAsync(Func<(string Event, string Data), bool> match, CancellationToken ct)
        {
            while (true)
            {
                var e = await NextAsync(ct);
                if (match(e))
                {
                    return e;
                }
            }
        }

        public void Dispose() => _reader.Dispose();
    }
}
