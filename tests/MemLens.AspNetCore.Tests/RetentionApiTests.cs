using System.Net;
using System.Text.Json;
using MemLens.Snapshots;
using MemLens.AspNetCore.Tests.ProbeTests;
using MemLens.Storage;
using MemLens.Tests.Shared.Snapshots;
using Microsoft.AspNetCore.Builder;
using Xunit;

namespace MemLens.AspNetCore.Tests;

/// <summary>
/// Who holds it, over HTTP (docs/dashboard-api.md): a snapshot's types with their retained bytes and main holder,
/// the bounded retention tree (<c>api/snapshots/{id}/retention</c>) and the diff's "held by" and retained order.
/// Snapshots come from <see cref="LeakingHeap"/>: a graph built here and analysed by the real dominator code.
/// </summary>
public class RetentionApiTests
{
    private const string Base = "/debug/memlens/";
    private const string SessionHolder = "static Hub.Changed → System.EventHandler → System.Object[]";
    private const string PayloadHolder = SessionHolder + " → Leaky.Session";
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task A_snapshot_with_retention_gives_each_top_type_its_retained_bytes_and_main_holder()
    {
        await using var app = await StartAsync(n => LeakingHeap.Snapshot(n));
        await TakeAsync(app);
        var s1 = await Json.GetAsync(app.Client, Base + "api/snapshots/s1");
        Assert.True(s1.GetProperty("hasRetention").GetBoolean());
        var top = s1.GetProperty("top").EnumerateArray().ToDictionary(t => t.GetProperty("name").GetString()!);
        Assert.Equal(LeakingHeap.SessionsRetained(1), top["Leaky.Session"].GetProperty("retained").GetInt64());
        Assert.Equal(SessionHolder, top["Leaky.Session"].GetProperty("holder").GetString());
        Assert.Equal(PayloadHolder, top["System.Byte[]"].GetProperty("holder").GetString());
        Assert.Equal(LeakingHeap.PayloadBytes * LeakingHeap.SessionsPerStep, top["System.Byte[]"].GetProperty("retained").GetInt64());
        // Object[] has two nodes (the invocation list and the pinned array): the holder is the one with more bytes.
        Assert.Equal("static Hub.Changed → System.EventHandler", top["System.Object[]"].GetProperty("holder").GetString());
        Assert.Equal("pinned handle → System.Object[]", top["System.String"].GetProperty("holder").GetString());
    }

    [Fact]
    public async Task The_retention_tree_starts_at_the_roots_and_reaches_the_leaked_type_with_its_retained_bytes()
    {
        await using var app = await StartAsync(n => LeakingHeap.Snapshot(n));
        await TakeAsync(app);
        var doc = await Json.GetAsync(app.Client, Base + "api/snapshots/s1/retention");
        Assert.Equal("s1", doc.GetProperty("id").GetString());
        var retention = doc.GetProperty("retention");
        var nodes = retention.GetProperty("nodes").EnumerateArray().ToArray();
        Assert.Equal(retention.GetProperty("nodeCount").GetInt32(), nodes.Length);
        Assert.Equal(0, retention.GetProperty("notSentNodes").GetInt32());
        Assert.Equal(0, retention.GetProperty("unrootedObjects").GetInt64());
        Assert.Equal(0, retention.GetProperty("omittedObjects").GetInt64());

        var roots = nodes.Where(n => n.GetProperty("parent").GetInt32() == -1).ToArray();
        Assert.Equal(["static Hub.Changed", "pinned handle"], roots.Select(r => r.GetProperty("label").GetString()));
        Assert.All(roots, r => Assert.Equal("root", r.GetProperty("kind").GetString()));

        var byId = nodes.ToDictionary(n => n.GetProperty("id").GetInt32());
        var payload = Assert.Single(nodes, n => n.GetProperty("label").GetString() == "System.Byte[]");
        Assert.Equal(LeakingHeap.SessionsPerStep, payload.GetProperty("count").GetInt64());
        var session = byId[payload.GetProperty("parent").GetInt32()];
        Assert.Equal("Leaky.Session", session.GetProperty("label").GetString());
        Assert.Equal("type", session.GetProperty("kind").GetString());
        Assert.Equal(LeakingHeap.SessionsRetained(1), session.GetProperty("retained").GetInt64());
        Assert.Equal(LeakingHeap.SessionBytes * LeakingHeap.SessionsPerStep, session.GetProperty("bytes").GetInt64());
        Assert.Equal(PayloadHolder + " → System.Byte[]", PathOf(byId, payload));
    }

    [Fact]
    public async Task The_tree_is_cut_to_max_nodes_by_retained_bytes_keeping_every_parent_and_counting_the_rest()
    {
        // A tree of 20,000 nodes, the most a snapshot keeps: one root and its types, smaller and smaller.
        var nodes = new List<RetentionNode> { new(-1, RetentionNodeKind.Root, "static Big.Cache", 1, 0, 1_000_000_000) };
        for (int i = 1; i < 20_000; i++)
        {
            nodes.Add(new RetentionNode(i % 2 == 1 ? 0 : i - 1, RetentionNodeKind.Type, "T" + i, 2, 10, 40_000 - i));
        }

        var snapshot = new HeapSnapshot(4242, "big", 1, [new TypeStat("T1", 2, 10)]) { Retention = new HeapRetention(nodes, new Dictionary<string, long>()) };
        await using var app = await StartAsync(_ => snapshot);
        await TakeAsync(app);

        var byDefault = (await Json.GetAsync(app.Client, Base + "api/snapshots/s1/retention")).GetProperty("retention");
        Assert.Equal(1000, byDefault.GetProperty("nodes").GetArrayLength());

        var cut = (await Json.GetAsync(app.Client, Base + "api/snapshots/s1/retention?max=5")).GetProperty("retention");
        var sent = cut.GetProperty("nodes").EnumerateArray().ToArray();
        Assert.Equal(5, sent.Length);
        Assert.Equal(5, cut.GetProperty("sentNodes").GetInt32());
        Assert.Equal(19_995, cut.GetProperty("notSentNodes").GetInt32());
        Assert.Equal(2 * 19_995, cut.GetProperty("notSentObjects").GetInt64());
        Assert.Equal(10 * 19_995, cut.GetProperty("notSentBytes").GetInt64());
        var ids = sent.Select(n => n.GetProperty("id").GetInt32()).ToHashSet();
        Assert.All(sent, n => Assert.True(n.GetProperty("parent").GetInt32() == -1 || ids.Contains(n.GetProperty("parent").GetInt32())));
        Assert.Equal([0, 1, 2, 3, 4], ids.Order());
        // The root's children that were not sent (all odd ones but 1 and 3) are counted on it.
        Assert.Equal(10_000 - 2, sent[0].GetProperty("notSentChildren").GetInt32());

        var capped = (await Json.GetAsync(app.Client, Base + "api/snapshots/s1/retention?max=9223372036854775807")).GetProperty("retention");
        Assert.Equal(20_000, capped.GetProperty("nodes").GetArrayLength());
    }

    [Theory]
    [InlineData("max=0")]
    [InlineData("max=-1")]
    [InlineData("max=-9223372036854775808")]
    [InlineData("max=99999999999999999999999")]
    [InlineData("max=1e400")]
    [InlineData("max=NaN")]
    [InlineData("max=0x10")]
    [InlineData("max=%0A5")]
    [InlineData("max=5%00")]
    public async Task A_hostile_max_is_a_400_with_one_line(string query)
    {
        await using var app = await StartAsync(n => LeakingHeap.Snapshot(n));
        await TakeAsync(app);
        using var response = await app.Client.GetAsync(Base + "api/snapshots/s1/retention?" + query);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("'max'", await ProbeServers.OneLineErrorAsync(response), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_snapshot_without_retention_says_so_with_null_and_no_retained_fields()
    {
        await using var app = await StartAsync(ScriptedTargetActions.Heap);
        await TakeAsync(app);
        await TakeAsync(app);
        var s1 = await Json.GetAsync(app.Client, Base + "api/snapshots/s1");
        Assert.False(s1.GetProperty("hasRetention").GetBoolean());
        Assert.All(s1.GetProperty("top").EnumerateArray(), t => Assert.False(t.TryGetProperty("retained", out _) || t.TryGetProperty("holder", out _)));

        var retention = await Json.GetAsync(app.Client, Base + "api/snapshots/s1/retention");
        Assert.Equal("s1", retention.GetProperty("id").GetString());
        Assert.Equal(JsonValueKind.Null, retention.GetProperty("retention").ValueKind);

        var diff = await Json.GetAsync(app.Client, Base + "api/snapshots/diff?a=s1&b=s2&sort=retained");
        Assert.False(diff.GetProperty("hasRetention").GetBoolean());
        Assert.Equal("retained", diff.GetProperty("sort").GetString());
        // Without retained figures the order is the bytes order.
        Assert.Equal("Leaky.Order", diff.GetProperty("rows")[0].GetProperty("name").GetString());
        Assert.All(diff.GetProperty("rows").EnumerateArray(), r => Assert.False(r.TryGetProperty("heldBy", out _)));

        using var unknown = await app.Client.GetAsync(Base + "api/snapshots/s99/retention");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        await ProbeServers.OneLineErrorAsync(unknown);
    }

    [Fact]
    public async Task The_diff_names_the_holder_of_each_growth_and_sorts_by_retained_growth_when_asked()
    {
        await using var app = await StartAsync(n => LeakingHeap.Snapshot(n));
        await TakeAsync(app);
        await TakeAsync(app);
        await TakeAsync(app);

        var byBytes = await Json.GetAsync(app.Client, Base + "api/snapshots/diff?a=s1&b=s3");
        Assert.Equal("bytes", byBytes.GetProperty("sort").GetString());
        Assert.True(byBytes.GetProperty("hasRetention").GetBoolean());
        var first = byBytes.GetProperty("rows")[0];
        Assert.Equal("System.Byte[]", first.GetProperty("name").GetString());
        Assert.Equal(LeakingHeap.PayloadBytes * LeakingHeap.SessionsPerStep, first.GetProperty("retainedBefore").GetInt64());
        Assert.Equal(LeakingHeap.PayloadBytes * LeakingHeap.SessionsPerStep * 3, first.GetProperty("retainedAfter").GetInt64());
        var heldBy = first.GetProperty("heldBy");
        Assert.Equal(PayloadHolder, heldBy.GetProperty("path").GetString());
        Assert.Equal(LeakingHeap.SessionsPerStep, heldBy.GetProperty("countBefore").GetInt64());
        Assert.Equal(3 * LeakingHeap.SessionsPerStep, heldBy.GetProperty("countAfter").GetInt64());
        Assert.Equal(LeakingHeap.PayloadBytes * LeakingHeap.SessionsPerStep, heldBy.GetProperty("bytesBefore").GetInt64());
        Assert.Equal(3 * LeakingHeap.PayloadBytes * LeakingHeap.SessionsPerStep, heldBy.GetProperty("bytesAfter").GetInt64());

        // By retained growth, the holders come first: the handler and its invocation list retain every session
        // (the list grows by 8 bytes a session too, so it leads), then the sessions, then their payloads.
        var byRetained = await Json.GetAsync(app.Client, Base + "api/snapshots/diff?a=s1&b=s3&sort=retained");
        Assert.Equal("retained", byRetained.GetProperty("sort").GetString());
        Assert.Equal(
            ["System.Object[]", "System.EventHandler", "Leaky.Session", "System.Byte[]", "System.String"],
            byRetained.GetProperty("rows").EnumerateArray().Select(r => r.GetProperty("name").GetString()));
        var session = byRetained.GetProperty("rows")[2];
        Assert.Equal(LeakingHeap.SessionsRetained(3) - LeakingHeap.SessionsRetained(1), session.GetProperty("retainedAfter").GetInt64() - session.GetProperty("retainedBefore").GetInt64());
        Assert.Equal(SessionHolder, session.GetProperty("heldBy").GetProperty("path").GetString());
    }

    [Theory]
    [InlineData("sort=size")]
    [InlineData("sort=RETAINED")]
    [InlineData("sort=retained%0Abytes")]
    [InlineData("sort=%00")]
    [InlineData("sort=bytes&sort=retained")]
    public async Task A_bad_sort_is_a_400_with_one_line(string query)
    {
        await using var app = await StartAsync(n => LeakingHeap.Snapshot(n));
        await TakeAsync(app);
        using var response = await app.Client.GetAsync(Base + "api/snapshots/diff?a=s1&b=s1&" + query);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("'sort'", await ProbeServers.OneLineErrorAsync(response), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Type_names_with_control_characters_and_markup_arrive_exactly_as_named_in_one_line()
    {
        string[] hostile = ["System.EventHandler", "System.Object[]", "Evil<script>alert(1)</script>\n\u0000\u001b[31m\"", "System.Byte[]", "System.String"];
        await using var app = await StartAsync(n => LeakingHeap.Snapshot(n, hostile));
        await TakeAsync(app);
        await TakeAsync(app);
        foreach (string route in new[] { "api/snapshots/s2", "api/snapshots/s2/retention", "api/snapshots/diff?a=s1&b=s2&sort=retained" })
        {
            using var response = await app.Client.GetAsync(Base + route);
            string body = await response.Content.ReadAsStringAsync();
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.DoesNotContain('\n', body);
            Assert.DoesNotContain('\0', body);
            Assert.DoesNotContain("<script>", body, StringComparison.Ordinal);
        }

        var nodes = (await Json.GetAsync(app.Client, Base + "api/snapshots/s2/retention")).GetProperty("retention").GetProperty("nodes");
        Assert.Contains(nodes.EnumerateArray(), n => n.GetProperty("label").GetString() == hostile[2]);
        var diff = await Json.GetAsync(app.Client, Base + "api/snapshots/diff?a=s1&b=s2");
        var payload = diff.GetProperty("rows").EnumerateArray().Single(r => r.GetProperty("name").GetString() == "System.Byte[]");
        Assert.Equal(SessionHolder + " → " + hostile[2], payload.GetProperty("heldBy").GetProperty("path").GetString());
    }

    [Fact]
    public async Task The_retention_route_needs_the_access_token()
    {
        await using var app = await StartAsync(n => LeakingHeap.Snapshot(n), token: "s3cret");
        using var denied = await app.Client.GetAsync(Base + "api/snapshots/s1/retention");
        Assert.Equal(HttpStatusCode.Unauthorized, denied.StatusCode);
        Assert.True((await Json.ReadAsync(denied)).GetProperty("tokenRequired").GetBoolean());
    }

    private static string PathOf(Dictionary<int, JsonElement> byId, JsonElement node)
    {
        var labels = new List<string>();
        for (var n = node; ; n = byId[n.GetProperty("parent").GetInt32()])
        {
            labels.Add(n.GetProperty("label").GetString()!);
            if (n.GetProperty("parent").GetInt32() < 0)
            {
                break;
            }
        }

        labels.Reverse();
        return string.Join(" → ", labels);
    }

    private static async Task TakeAsync(App app)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, Base + "api/actions/snapshot");
        if (app.Token is { } token)
        {
            request.Headers.Authorization = new("Bearer", token);
        }

        using var start = await app.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.Accepted, start.StatusCode);
        await app.Monitor.TargetActions!.SnapshotTask.WaitAsync(s_wait);
    }

    private static async Task<App> StartAsync(Func<int, HeapSnapshot> heap, string? token = null)
    {
        var actions = new ScriptedTargetActions { Snapshot = (n, _, _) => Task.FromResult(heap(n)) };
        var monitor = new MemLensMonitor(new MetricStore(), [new SettableMemorySource()], new MemLensTarget(4242, "leaky", "dotnet", InProcess: false),
            new MemLensOptions { AccessToken = token }, targetActions: actions);
        var dashboard = await DashboardApp.StartAsync(map: a => a.MapMemLens("/debug/memlens", monitor));
        return new App(dashboard, monitor, token);
    }

    private sealed class App(DashboardApp dashboard, MemLensMonitor monitor, string? token) : IAsyncDisposable
    {
        public HttpClient Client => dashboard.Client;

        public MemLensMonitor Monitor => monitor;

        public string? Token => token;

        public async ValueTask DisposeAsync()
        {
            await dashboard.DisposeAsync();
            monitor.Dispose();
        }
    }
}
