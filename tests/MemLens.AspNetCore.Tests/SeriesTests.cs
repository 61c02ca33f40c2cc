using System.Text.Json;
using MemLens.Metrics;
using MemLens.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Logging;
using Xunit;

namespace MemLens.AspNetCore.Tests;

/// <summary>api/series over a store filled with known values, served by a monitor with no sources.</summary>
public class SeriesTests
{
    private const long T0 = 1_700_000_000_000;

    [Fact]
    public async Task A_one_second_spike_survives_downsampling_a_day_into_a_few_hundred_points()
    {
        var store = new MetricStore();
        for (int i = 0; i < 86_400; i++)
        {
            store.Append(MetricCatalog.ProcessRss, T0 + (i * 1000L), i == 50_000 ? 900e6 : 100e6);
        }

        var body = await QueryAsync(store, $"from={T0}&to={T0 + 86_399_000}&points=300&ids=process.memory.rss");
        Assert.True(body.GetProperty("downsampled").GetBoolean());
        Assert.True(body.GetProperty("t").GetArrayLength() <= 300);
        var rss = body.GetProperty("series").GetProperty("process.memory.rss");
        var max = rss.GetProperty("max").EnumerateArray().Select(v => v.GetDouble()).ToArray();
        var mean = rss.GetProperty("v").EnumerateArray().Select(v => v.GetDouble()).ToArray();
        Assert.Equal(900e6, max.Max());
        Assert.True(mean.Max() < 200e6); // the mean alone would have hidden it
        Assert.Equal(100e6, rss.GetProperty("min").EnumerateArray().Min(v => v.GetDouble()));
    }

    [Fact]
    public async Task Full_resolution_needs_no_min_and_max_and_keeps_exact_values()
    {
        var store = new MetricStore();
        for (int i = 0; i < 60; i++)
        {
            store.Append(MetricCatalog.ProcessRss, T0 + (i * 1000L), 100_000_000 + (i * 4096));
        }

        var body = await QueryAsync(store, $"from={T0}&to={T0 + 59_999}&points=1000&ids=process.memory.rss");
        Assert.Equal(1000, body.GetProperty("step").GetInt64()); // never finer than the sample interval
        var t = body.GetProperty("t").EnumerateArray().Select(x => x.GetInt64()).ToArray();
        Assert.Equal(60, t.Length);
        var rss = body.GetProperty("series").GetProperty("process.memory.rss");
        Assert.False(rss.TryGetProperty("min", out _));
        var v = rss.GetProperty("v").EnumerateArray().Select(x => x.GetDouble()).ToArray();
        Assert.Equal(Enumerable.Range(0, 60).Select(i => 100_000_000d + (i * 4096)), v);
    }

    [Fact]
    public async Task Rates_of_counters_and_the_gap_are_computed_from_the_stored_series()
    {
        var store = new MetricStore();
        for (int i = 0; i < 120; i++)
        {
            long ts = T0 + (i * 1000L);
            store.Append(MetricCatalog.GcAllocated, ts, i * 5_000_000d); // 5 MB/s
            store.Append(MetricCatalog.ProcessRss, ts, 300e6 + (i * 1e6));
            store.Append(MetricCatalog.GcCommitted, ts, 200e6);
        }

        var body = await QueryAsync(store, $"from={T0}&to={T0 + 119_999}&points=1000&ids=rate:dotnet.gc.allocated,derived.gap");
        var series = body.GetProperty("series");
        var rate = series.GetProperty("rate:dotnet.gc.allocated").GetProperty("v").EnumerateArray().ToArray();
        Assert.Equal(JsonValueKind.Null, rate[0].ValueKind); // no rate before the second point
        Assert.All(rate.Skip(1), r => Assert.Equal(5_000_000d, r.GetDouble(), 6));
        var gap = series.GetProperty("derived.gap").GetProperty("v").EnumerateArray().Select(x => x.GetDouble()).ToArray();
        Assert.Equal(Enumerable.Range(0, 120).Select(i => 100e6 + (i * 1e6)), gap);

        // Downsampled, the rate is still the counter's slope.
        var coarse = await QueryAsync(store, $"from={T0}&to={T0 + 119_999}&points=12&ids=rate:dotnet.gc.allocated");
        var coarseRate = coarse.GetProperty("series").GetProperty("rate:dotnet.gc.allocated").GetProperty("v").EnumerateArray().Skip(1);
        Assert.All(coarseRate, r => Assert.Equal(5_000_000d, r.GetDouble(), 6));
    }

    [Fact]
    public async Task The_go_differences_are_computed_from_memstats_where_both_operands_have_a_value()
    {
        var store = new MetricStore();
        for (int i = 0; i < 60; i++)
        {
            long ts = T0 + (i * 1000L);
            store.Append(MetricCatalog.GoHeapSys, ts, 400e6);
            store.Append(MetricCatalog.GoHeapIdle, ts, 250e6 - (i * 1e6)); // idle shrinks as the heap grows again
            if (i < 50)
            {
                store.Append(MetricCatalog.GoHeapReleased, ts, 100e6 + (i * 2e6)); // the scavenger returns memory
            }
        }

        var body = await QueryAsync(store, $"from={T0}&to={T0 + 59_999}&points=1000&ids=go.memstats.heap_idle,derived.go.idle_kept,derived.go.retained,derived.gap");
        var series = body.GetProperty("series");
        var kept = series.GetProperty("derived.go.idle_kept").GetProperty("v").EnumerateArray().ToArray();
        var retained = series.GetProperty("derived.go.retained").GetProperty("v").EnumerateArray().ToArray();
        Assert.Equal(60, kept.Length);
        for (int i = 0; i < 50; i++)
        {
            Assert.Equal(150e6 - (i * 3e6), kept[i].GetDouble()); // HeapIdle − HeapReleased
            Assert.Equal(300e6 - (i * 2e6), retained[i].GetDouble()); // HeapSys − HeapReleased
        }

        // Without HeapReleased there is no difference, rather than HeapIdle alone.
        Assert.All(kept.Skip(50), v => Assert.Equal(JsonValueKind.Null, v.ValueKind));
        Assert.All(retained.Skip(50), v => Assert.Equal(JsonValueKind.Null, v.ValueKind));
        // A Go process has no GC committed: no gap either.
        Assert.All(series.GetProperty("derived.gap").GetProperty("v").EnumerateArray(), v => Assert.Equal(JsonValueKind.Null, v.ValueKind));
    }

    [Fact]
    public async Task Series_with_no_data_in_range_come_back_as_nulls_on_the_shared_axis()
    {
        var store = new MetricStore();
        store.Append(MetricCatalog.ProcessRss, T0, 1);
        var body = await QueryAsync(store, $"from={T0}&to={T0 + 10_000}&ids=process.memory.rss,dotnet.gc.heap.size");
        Assert.Equal(1, body.GetProperty("t").GetArrayLength());
        Assert.Equal(JsonValueKind.Null, body.GetProperty("series").GetProperty("dotnet.gc.heap.size").GetProperty("v")[0].ValueKind);
    }

    private static async Task<JsonElement> QueryAsync(MetricStore store, string query)
    {
        using var monitor = new MemLensMonitor(store, [], new MemLensTarget(1, "fixture", "native", false), new MemLensOptions());
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseTestServer();
        builder.Logging.ClearProviders();
        await using var app = builder.Build();
        app.MapMemLens("/m", monitor);
        await app.StartAsync();
        using var client = app.GetTestClient();
        return await Json.GetAsync(client, "/m/api/series?" + query);
    }
}
