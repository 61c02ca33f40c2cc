using System.Net;
using System.Text.Json;
using MemLens.Tests.Shared.Snapshots;
using Xunit;

namespace MemLens.AspNetCore.Tests.ProbeTests;

/// <summary>
/// Hostile query values on every route that takes a range, a count or ids: overflowing, out of range, not numbers,
/// huge counts, thousands of ids. Each gets a 400 with one line (or, for a count above its cap, an answer within
/// the cap) — never a 500, and never memory sized by the request.
/// </summary>
[Collection(nameof(RssMeasurement))]
public class QueryLimitProbeTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private const string Base = "/debug/memlens/";
    private const long MaxUnixMs = 253_402_300_799_999; // 9999-12-31T23:59:59.999Z, the last instant DateTimeOffset holds

    public static TheoryData<string, string> BadRanges()
    {
        var data = new TheoryData<string, string>();
        string[] queries =
        [
            "from=0&to=9223372036854775807",
            "from=1&to=9223372036854775807",
            "from=-9223372036854775808&to=0",
            "from=-9223372036854775808&to=9223372036854775807",
            "from=-1&to=1000",
            "to=-5",
            $"from=0&to={MaxUnixMs + 1}",
            "from=NaN",
            "to=Infinity",
            "from=1e300",
            "to=99999999999999999999999",
            "from=0x10",
            "from=5000&to=10",
        ];
        foreach (string route in new[] { "api/series", "api/events", "api/findings" })
        {
            foreach (string q in queries)
            {
                data.Add(route, q);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(BadRanges))]
    public async Task An_overflowing_or_malformed_range_is_a_400_with_one_line(string route, string query)
    {
        await using var app = await DashboardApp.StartAsync();
        using var response = await app.Client.GetAsync($"{Base}{route}?{query}");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        string error = await ProbeServers.OneLineErrorAsync(response);
        Assert.True(error.Contains("'from'", StringComparison.Ordinal) || error.Contains("'to'", StringComparison.Ordinal), error);
    }

    [Theory]
    [InlineData("from=0&to=253402300799999&points=5000")]
    [InlineData("from=1")]
    [InlineData("from=0&points=9223372036854775807")]
    [InlineData("from=0&points=-9223372036854775808")]
    public async Task The_widest_valid_series_range_answers_within_the_point_cap(string query)
    {
        await using var app = await DashboardApp.StartAsync();
        app.Monitor.SampleNow();
        using var response = await app.Client.GetAsync($"{Base}api/series?{query}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var json = await Json.ReadAsync(response);
        Assert.InRange(json.GetProperty("t").GetArrayLength(), 1, 5000);
        long from = json.GetProperty("from").GetInt64();
        long to = json.GetProperty("to").GetInt64();
        long step = json.GetProperty("step").GetInt64();
        Assert.True((to - from + 1) / step <= 5000, json.GetRawText()[..200]);
    }

    /// <summary>The grid itself (also used by reports, whose ranges come from a file) never overflows into a huge or negative cell count.</summary>
    [Theory]
    [InlineData(long.MinValue, long.MaxValue, 5000, 1000)]
    [InlineData(0, long.MaxValue, 100_000, 1)]
    [InlineData(long.MinValue, 0, 10, 0)]
    [InlineData(1, 1, 5000, 1000)]
    [InlineData(long.MaxValue - 1, long.MaxValue, 5000, long.MaxValue)]
    public void The_grid_of_any_range_of_longs_has_at_most_the_points_asked_for(long from, long to, int points, long intervalMs)
    {
        var (step, count) = Dashboard.SeriesGrid.Grid(from, to, points, intervalMs);
        Assert.InRange(count, 1, points);
        Assert.True(step >= 1);
        Assert.True((System.Numerics.BigInteger)step * count >= (System.Numerics.BigInteger)to - from + 1, "the cells cover the range");
    }

    [Theory]
    [InlineData("api/series?points=abc")]
    [InlineData("api/series?points=1e9")]
    [InlineData("api/events?max=0")]
    [InlineData("api/events?max=-1")]
    [InlineData("api/events?max=NaN")]
    [InlineData("api/events?max=5%00")]
    [InlineData("api/series?points=5%00")]
    [InlineData("api/events?from=5%00")]
    [InlineData("api/series?ids=process.memory.rss,no.such.series")]
    public async Task A_malformed_count_or_id_is_a_400_with_one_line(string pathAndQuery)
    {
        await using var app = await DashboardApp.StartAsync();
        using var response = await app.Client.GetAsync(Base + pathAndQuery);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        await ProbeServers.OneLineErrorAsync(response);
    }

    [Fact]
    public async Task Thousands_of_ids_are_refused_in_one_line()
    {
        await using var app = await DashboardApp.StartAsync();
        string many = string.Join(',', Enumerable.Repeat("process.memory.rss", 20_000));
        using var response = await app.Client.GetAsync($"{Base}api/series?ids={many}");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("ids", await ProbeServers.OneLineErrorAsync(response), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Huge_counts_on_events_and_snapshots_are_capped_not_obeyed()
    {
        using var monitor = ProbeServers.ActingMonitor(new ScriptedTargetActions());
        await using var server = MemLensServer.Start(monitor, new MemLensServerOptions());
        using var http = new HttpClient { BaseAddress = server.Url };
        using (var started = await http.PostAsync("api/actions/snapshot", null))
        {
            Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        }

        await WaitForSnapshotAsync(http, "s1");
        foreach (string q in new[] { "api/events?max=9223372036854775807", "api/snapshots/s1?top=9223372036854775807", "api/snapshots/diff?a=s1&b=s1&top=9223372036854775807" })
        {
            using var response = await http.GetAsync(q);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{q}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }

        foreach (string q in new[] { "api/snapshots/s1?top=-9223372036854775808", "api/snapshots/s1?top=1e400", "api/snapshots/diff?a=s1&b=s1&top=NaN" })
        {
            using var response = await http.GetAsync(q);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            await ProbeServers.OneLineErrorAsync(response);
        }
    }

    /// <summary>
    /// The worst query on every route, sent at a real Kestrel server in this process: the peak RSS (VmHWM, reset
    /// through /proc/self/clear_refs first) grows by less than 64 MiB. The reference is the kernel's own figure,
    /// read with a plain split.
    /// </summary>
    [Fact]
    public async Task The_worst_query_on_every_route_keeps_memory_bounded()
    {
        // Snapshots with retention data, so that the retention tree and the diff's "held by" are computed too.
        using var monitor = ProbeServers.ActingMonitor(new ScriptedTargetActions { Snapshot = (n, _, _) => Task.FromResult(LeakingHeap.Snapshot(n)) });
        monitor.Start();
        await using var server = MemLensServer.Start(monitor, new MemLensServerOptions());
        using var http = new HttpClient { BaseAddress = server.Url, Timeout = TimeSpan.FromSeconds(60) };
        using (var started = await http.PostAsync("api/actions/snapshot", null))
        {
            Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        }

        await WaitForSnapshotAsync(http, "s1");
        string allIds = string.Join(',', Enumerable.Repeat("process.memory.rss", 60));
        string[] worst =
        [
            "api/series?from=0&to=9223372036854775807&points=5000",
            "api/series?from=1&to=9223372036854775807",
            "api/series?from=-9223372036854775808&to=0",
            "api/series?from=0&to=253402300799999&points=9223372036854775807&ids=" + allIds,
            "api/events?from=0&to=9223372036854775807&max=9223372036854775807",
            "api/events?from=-9223372036854775808&to=9223372036854775807",
            "api/findings?from=0&to=9223372036854775807",
            "api/findings?from=-9223372036854775808&to=9223372036854775807",
            "api/findings?from=0&to=253402300799999",
            "api/snapshots/s1?top=9223372036854775807",
            "api/snapshots/diff?a=s1&b=s1&top=9223372036854775807",
            "api/snapshots/diff?a=s1&b=s1&top=9223372036854775807&sort=retained",
            "api/snapshots/s1/retention?max=9223372036854775807",
            "api/catalog", "api/status", "api/snapshots",
        ];

        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        long before = RssReference.VmRssBytes();
        RssReference.ResetPeak();
        foreach (string q in worst)
        {
            using var response = await http.GetAsync(q);
            Assert.True((int)response.StatusCode is 200 or 400, $"{q}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }

        long peak = RssReference.VmHwmBytes();
        output.WriteLine($"RSS before {before >> 10} KiB, peak during the worst queries {peak >> 10} KiB (+{(peak - before) >> 10} KiB)");
        Assert.True(peak - before < 64L << 20, $"peak RSS {peak >> 20} MiB, {(peak - before) >> 20} MiB above the {before >> 20} MiB before the queries");
    }

    internal static async Task WaitForSnapshotAsync(HttpClient http, string id)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            using var response = await http.GetAsync("api/snapshots", cts.Token);
            var listing = await Json.ReadAsync(response);
            if (listing.GetProperty("snapshots").EnumerateArray().Any(s => s.GetProperty("id").GetString() == id && s.GetProperty("totalObjects").ValueKind == JsonValueKind.Number))
            {
                return;
            }

            await Task.Delay(50, cts.Token);
        }
    }
}

/// <summary>The tests that measure this process's RSS run alone, so other tests' allocations do not count.</summary>
[CollectionDefinition(nameof(RssMeasurement), DisableParallelization = true)]
public sealed class RssMeasurement;

/// <summary>The kernel's figures for this process, read from /proc/self/status with a plain split (not MemLens's parsers).</summary>
internal static class RssReference
{
    public static long VmRssBytes() => Field("VmRSS:");

    public static long VmHwmBytes() => Field("VmHWM:");

    /// <summary>Resets VmHWM to the current RSS (Linux 4.0+: "5" to clear_refs).</summary>
    public static void ResetPeak() => File.WriteAllText("/proc/self/clear_refs", "5");

    private static long Field(string name)
    {
        foreach (string line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith(name, StringComparison.Ordinal))
            {
                string[] parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                return long.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture) * 1024; // kB
            }
        }

        throw new InvalidOperationException(name + " not in /proc/self/status");
    }
}
