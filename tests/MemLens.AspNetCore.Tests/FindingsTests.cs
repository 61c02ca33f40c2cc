using System.Net;
using System.Text.Json;
using MemLens.AspNetCore.Dashboard;
using MemLens.Metrics;
using MemLens.Storage;
using Microsoft.AspNetCore.Builder;
using Xunit;

namespace MemLens.AspNetCore.Tests;

/// <summary><c>api/findings</c>, and what the catalog says about the process (facts, live) for the findings panel.</summary>
public class FindingsTests
{
    private const long T0 = 1_763_800_000_000;

    [Fact]
    public async Task Findings_default_to_the_store_s_whole_range_in_the_doctor_s_json()
    {
        await using var app = await StoreApp.StartAsync(TenMinutes());
        var body = await Json.GetAsync(app.Client, "/m/api/findings");
        Assert.Equal(T0, body.GetProperty("from").GetInt64());
        Assert.Equal(T0 + 599_000, body.GetProperty("to").GetInt64());
        Assert.True(body.GetProperty("healthy").ValueKind is JsonValueKind.True or JsonValueKind.False);
        var findings = body.GetProperty("findings").EnumerateArray().ToArray();
        Assert.NotEmpty(findings);
        foreach (var f in findings)
        {
            Assert.False(string.IsNullOrEmpty(f.GetProperty("id").GetString()));
            Assert.False(string.IsNullOrEmpty(f.GetProperty("title").GetString()));
            Assert.Equal(JsonValueKind.String, f.GetProperty("summary").ValueKind);
            Assert.Contains(f.GetProperty("confidence").GetString(), new[] { "low", "medium", "high" });
            Assert.Equal(JsonValueKind.Array, f.GetProperty("evidence").ValueKind);
            Assert.Equal(JsonValueKind.Array, f.GetProperty("next_steps").ValueKind);
            Assert.True(f.GetProperty("from").GetInt64() <= f.GetProperty("to").GetInt64());
            Assert.StartsWith("docs/doctor.md#", f.GetProperty("docs").GetString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Findings_judge_the_range_asked_for()
    {
        await using var app = await StoreApp.StartAsync(TenMinutes());
        var body = await Json.GetAsync(app.Client, $"/m/api/findings?from={T0 + 60_000}&to={T0 + 120_000}");
        Assert.Equal(T0 + 60_000, body.GetProperty("from").GetInt64());
        Assert.Equal(T0 + 120_000, body.GetProperty("to").GetInt64());

        // Only 'to': from defaults to the store's first sample.
        var upTo = await Json.GetAsync(app.Client, $"/m/api/findings?to={T0 + 300_000}");
        Assert.Equal(T0, upTo.GetProperty("from").GetInt64());
    }

    [Fact]
    public async Task An_empty_store_is_judged_at_one_moment_not_refused()
    {
        await using var app = await StoreApp.StartAsync(new MetricStore());
        var body = await Json.GetAsync(app.Client, "/m/api/findings");
        Assert.Equal(body.GetProperty("from").GetInt64(), body.GetProperty("to").GetInt64());
        Assert.NotEmpty(body.GetProperty("findings").EnumerateArray());
    }

    [Theory]
    [InlineData("from=abc", "'from'")]
    [InlineData("to=x", "'to'")]
    [InlineData("from=2&to=1", "'from' must not be after 'to'")]
    public async Task Bad_ranges_get_400_with_a_message(string query, string expected)
    {
        await using var app = await StoreApp.StartAsync(TenMinutes());
        using var response = await app.Client.GetAsync("/m/api/findings?" + query);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(expected, (await Json.ReadAsync(response)).GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Asking_again_for_the_same_range_within_seconds_does_not_examine_again()
    {
        await using var app = await StoreApp.StartAsync(TenMinutes());
        for (int i = 0; i < 3; i++)
        {
            // Ends a few ms apart, as a page following live asks: one bucket.
            await Json.GetAsync(app.Client, $"/m/api/findings?from={T0}&to={T0 + 300_000 + i}");
        }

        Assert.Equal(1, app.Monitor.Findings.Computed);
        await Json.GetAsync(app.Client, $"/m/api/findings?from={T0}&to={T0 + 400_000}");
        Assert.Equal(2, app.Monitor.Findings.Computed);
    }

    [Fact]
    public async Task The_catalog_carries_the_facts_the_live_flag_and_the_newest_sample()
    {
        await using var app = await StoreApp.StartAsync(TenMinutes(), monitor =>
        {
            monitor.Live = false;
            monitor.Facts = new Dictionary<string, string>
            {
                ["target.runtime"] = "dotnet",
                ["target.command_line"] = "dotnet Shop.dll --urls http://*:8080",
                ["env.DOTNET_gcServer"] = "1",
            };
        });
        var catalog = await Json.GetAsync(app.Client, "/m/api/catalog");
        Assert.False(catalog.GetProperty("live").GetBoolean());
        Assert.Equal(T0, catalog.GetProperty("firstTs").GetInt64());
        Assert.Equal(T0 + 599_000, catalog.GetProperty("lastTs").GetInt64());
        var facts = catalog.GetProperty("facts");
        Assert.Equal("dotnet Shop.dll --urls http://*:8080", facts.GetProperty("target.command_line").GetString());
        Assert.Equal("1", facts.GetProperty("env.DOTNET_gcServer").GetString());
        Assert.Equal(["env.DOTNET_gcServer", "target.command_line", "target.runtime"], facts.EnumerateObject().Select(p => p.Name).ToArray());

        await using var live = await StoreApp.StartAsync(new MetricStore());
        var empty = await Json.GetAsync(live.Client, "/m/api/catalog");
        Assert.True(empty.GetProperty("live").GetBoolean());
        Assert.Equal(JsonValueKind.Null, empty.GetProperty("lastTs").ValueKind);
        Assert.Empty(empty.GetProperty("facts").EnumerateObject());
    }

    // ---- the cache itself ----

    [Fact]
    public void One_range_is_examined_once_while_fresh_and_again_when_stale()
    {
        long clock = 0;
        var cache = new FindingsCache(() => clock);
        int runs = 0;
        byte[] Examine(long from, long to) => [(byte)++runs];

        var first = cache.Get(T0, T0 + 60_000, Examine);
        clock += FindingsCache.LifetimeMs - 1;
        Assert.Same(first, cache.Get(T0 + 1, T0 + 60_001, Examine));
        clock += 1;
        Assert.NotSame(first, cache.Get(T0, T0 + 60_000, Examine));
        Assert.Equal(2, runs);
    }

    [Fact]
    public void The_cache_holds_at_most_its_capacity()
    {
        var cache = new FindingsCache(() => 0);
        for (int i = 0; i < 100; i++)
        {
            cache.Get(T0, T0 + (i * FindingsCache.BucketMs), (_, _) => []);
        }

        Assert.Equal(FindingsCache.Capacity, cache.Count);
        Assert.Equal(100, cache.Computed);
    }

    [Fact]
    public void A_failed_examination_is_not_kept()
    {
        var cache = new FindingsCache(() => 0);
        Assert.Throws<InvalidOperationException>(() => cache.Get(T0, T0 + 1, (_, _) => throw new InvalidOperationException("boom")));
        Assert.Equal(0, cache.Count);
        Assert.Equal([1], cache.Get(T0, T0 + 1, (_, _) => [1]));
    }

    [Fact]
    public async Task Concurrent_requests_for_one_range_wait_for_one_examination()
    {
        // Each request reads the cache's clock once, under its lock, when it arrives: counting the reads tells when all
        // four are in, while the one examination is held at the gate. Only then is it let go.
        int arrived = 0;
        var cache = new FindingsCache(() =>
        {
            Interlocked.Increment(ref arrived);
            return 0;
        });
        using var gate = new ManualResetEventSlim();
        var tasks = Enumerable.Range(0, 4).Select(_ => Task.Run(() => cache.Get(T0, T0 + 1, (_, _) =>
        {
            Assert.True(gate.Wait(TimeSpan.FromSeconds(30)), "the gate was never opened");
            return [7];
        }))).ToArray();
        Assert.True(
            SpinWait.SpinUntil(() => Volatile.Read(ref arrived) == 4 && cache.Computed == 1, TimeSpan.FromSeconds(30)),
            $"{Volatile.Read(ref arrived)} of 4 requests arrived, {cache.Computed} examinations started");
        Assert.All(tasks, t => Assert.False(t.IsCompleted));
        gate.Set();
        var answers = await Task.WhenAll(tasks);
        Assert.All(answers, a => Assert.Same(answers[0], a));
        Assert.Equal(1, cache.Computed);
    }

    private static MetricStore TenMinutes()
    {
        var store = new MetricStore();
        for (int i = 0; i < 600; i++)
        {
            store.Append(MetricCatalog.ProcessRss, T0 + (i * 1000L), 100e6 + (i * 1000));
        }

        return store;
    }

    /// <summary>The dashboard of a monitor over a given store, mapped at <c>/m</c> of a <see cref="DashboardApp"/>.</summary>
    private sealed class StoreApp : IAsyncDisposable
    {
        private readonly DashboardApp _app;

        private StoreApp(DashboardApp app, MemLensMonitor monitor)
        {
            _app = app;
            Monitor = monitor;
        }

        public MemLensMonitor Monitor { get; }

        public HttpClient Client => _app.Client;

        public static async Task<StoreApp> StartAsync(MetricStore store, Action<MemLensMonitor>? configure = null)
        {
            var monitor = new MemLensMonitor(store, [], new MemLensTarget(1, "fixture", "dotnet", false), new MemLensOptions());
            configure?.Invoke(monitor);
            return new StoreApp(await DashboardApp.StartAsync(map: a => a.MapMemLens("/m", monitor)), monitor);
        }

        public async ValueTask DisposeAsync()
        {
            await _app.DisposeAsync();
            Monitor.Dispose();
        }
    }
}
