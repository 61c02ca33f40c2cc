using System.Net;
using System.Text.Json;
using MemLens.Actions;
using MemLens.Snapshots;
using MemLens.Storage;
using Microsoft.AspNetCore.Builder;
using Xunit;

namespace MemLens.AspNetCore.Tests;

/// <summary>
/// The HTTP contract of the actions on an attached process (docs/dashboard-api.md): full GC, heap snapshots, their
/// diff. The process is played by <see cref="ScriptedTargetActions"/>; the real one is tested end to end.
/// </summary>
public class TargetActionTests
{
    private const string Base = "/debug/memlens/";
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Without_target_actions_gc_and_snapshot_are_not_offered_and_answer_403()
    {
        await using var inProcess = await DashboardApp.StartAsync(o => o.EnableActions = true);
        var catalog = await Json.GetAsync(inProcess.Client, Base + "api/catalog");
        Assert.Equal(["release"], catalog.GetProperty("actions").EnumerateArray().Select(a => a.GetProperty("id").GetString()));
        await using var attached = await Attached.StartAsync(actions: null);
        Assert.Equal(0, (await Json.GetAsync(attached.Client, Base + "api/catalog")).GetProperty("actions").GetArrayLength());

        foreach (var app in new[] { inProcess.Client, attached.Client })
        {
            foreach (string action in new[] { "gc", "snapshot" })
            {
                using var response = await app.PostAsync(Base + "api/actions/" + action, null);
                Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
                Assert.False(string.IsNullOrEmpty((await Json.ReadAsync(response)).GetProperty("error").GetString()));
            }
        }

        var listing = await Json.GetAsync(attached.Client, Base + "api/snapshots");
        Assert.Equal(JsonValueKind.Null, listing.GetProperty("running").ValueKind);
        Assert.Equal(0, listing.GetProperty("snapshots").GetArrayLength());
    }

    [Fact]
    public async Task Target_actions_are_offered_for_an_attached_process_only_and_only_by_POST()
    {
        await using var app = await Attached.StartAsync(new ScriptedTargetActions());
        var actions = (await Json.GetAsync(app.Client, Base + "api/catalog")).GetProperty("actions").EnumerateArray().ToArray();
        Assert.Equal(["gc", "snapshot"], actions.Select(a => a.GetProperty("id").GetString()));
        Assert.Equal(["Full GC", "Heap snapshot"], actions.Select(a => a.GetProperty("label").GetString()));
        Assert.Equal(["api/actions/gc", "api/actions/snapshot"], actions.Select(a => a.GetProperty("url").GetString()));
        Assert.Contains("pause", actions[0].GetProperty("help").GetString()!, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("walk", actions[1].GetProperty("help").GetString()!, StringComparison.OrdinalIgnoreCase);

        foreach (string action in new[] { "gc", "snapshot" })
        {
            using var get = await app.Client.GetAsync(Base + "api/actions/" + action);
            Assert.Equal(HttpStatusCode.MethodNotAllowed, get.StatusCode);
        }

        // An in-process monitor keeps the release action only, whatever it is given.
        using var self = new MemLensMonitor(new MetricStore(), [], MemLensTarget.Current(), new MemLensOptions(), allowRelease: true, new ScriptedTargetActions());
        Assert.NotNull(self.Release);
        Assert.Null(self.TargetActions);
    }

    [Fact]
    public async Task A_full_gc_answers_the_gc_and_the_figures_before_and_after_and_is_marked()
    {
        var memory = new SettableMemorySource();
        var actions = new ScriptedTargetActions();
        actions.Collect = _ =>
        {
            memory.Rss = 300L << 20; // what the GC gave back
            memory.Pss = 280L << 20;
            return Task.FromResult(ScriptedTargetActions.FullGc(812, 400L << 20, 100L << 20));
        };
        await using var app = await Attached.StartAsync(actions, memory);
        using var response = await app.Client.PostAsync(Base + "api/actions/gc", null);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var result = await Json.ReadAsync(response);

        Assert.Equal(40, result.GetProperty("durationMs").GetDouble());
        var gc = result.GetProperty("gc");
        Assert.Equal("gc", gc.GetProperty("type").GetString());
        Assert.Equal(812, gc.GetProperty("index").GetInt64());
        Assert.Equal(2, gc.GetProperty("generation").GetInt32());
        Assert.Equal("full-blocking", gc.GetProperty("kind").GetString());
        var before = result.GetProperty("before");
        var after = result.GetProperty("after");
        Assert.Equal(500L << 20, before.GetProperty("rss").GetInt64());
        Assert.Equal(300L << 20, after.GetProperty("rss").GetInt64());
        Assert.Equal(480L << 20, before.GetProperty("pss").GetInt64());
        Assert.Equal(280L << 20, after.GetProperty("pss").GetInt64());
        Assert.Equal(400L << 20, before.GetProperty("gcHeap").GetInt64());
        Assert.Equal(100L << 20, after.GetProperty("gcHeap").GetInt64());
        Assert.Equal(JsonValueKind.Null, before.GetProperty("gcCommitted").ValueKind); // not sampled from outside
        Assert.Equal(108L << 20, after.GetProperty("gcCommitted").GetInt64());
        Assert.StartsWith("Full GC #812: RSS 500 MiB → 300 MiB", result.GetProperty("description").GetString(), StringComparison.Ordinal);

        var events = await Json.GetAsync(app.Client, Base + "api/events");
        var marker = Assert.Single(events.GetProperty("events").EnumerateArray(), e => e.GetProperty("type").GetString() == "action.gc");
        Assert.Equal(result.GetProperty("ts").GetInt64(), marker.GetProperty("ts").GetInt64());
        Assert.Equal(812, marker.GetProperty("result").GetProperty("gc").GetProperty("index").GetInt64());
    }

    [Fact]
    public async Task A_failing_action_answers_its_one_line_message_and_a_failed_snapshot_is_listed_with_it()
    {
        var actions = new ScriptedTargetActions
        {
            Collect = _ => throw new TargetActionException("process 4242 exited during the GC"),
            Snapshot = (_, _, _) => throw new TargetActionException("process 4242 exited during the snapshot"),
        };
        await using var app = await Attached.StartAsync(actions);
        using var gc = await app.Client.PostAsync(Base + "api/actions/gc", null);
        Assert.Equal(HttpStatusCode.BadGateway, gc.StatusCode);
        Assert.Equal("process 4242 exited during the GC", (await Json.ReadAsync(gc)).GetProperty("error").GetString());

        using var start = await app.Client.PostAsync(Base + "api/actions/snapshot", null);
        Assert.Equal(HttpStatusCode.Accepted, start.StatusCode);
        await app.Monitor.TargetActions!.SnapshotTask.WaitAsync(s_wait);
        var listed = Assert.Single((await Json.GetAsync(app.Client, Base + "api/snapshots")).GetProperty("snapshots").EnumerateArray());
        Assert.Equal("process 4242 exited during the snapshot", listed.GetProperty("error").GetString());
        Assert.Equal(JsonValueKind.Null, listed.GetProperty("totalBytes").ValueKind);

        // The gate was released: the next action runs.
        using var again = await app.Client.PostAsync(Base + "api/actions/gc", null);
        Assert.Equal(HttpStatusCode.BadGateway, again.StatusCode);
    }

    [Fact]
    public async Task A_snapshot_starts_at_once_shows_progress_runs_alone_and_is_listed_and_marked_when_done()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var reported = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var actions = new ScriptedTargetActions
        {
            Snapshot = async (n, progress, ct) =>
            {
                progress?.Report(new SnapshotProgress("walking heap", 1234, 567_890, TimeSpan.FromMilliseconds(300)));
                reported.TrySetResult();
                await release.Task.WaitAsync(ct);
                return ScriptedTargetActions.Heap(n);
            },
        };
        await using var app = await Attached.StartAsync(actions);
        using var cts = new CancellationTokenSource(s_wait);
        using var stream = await app.Client.GetAsync(Base + "api/stream", HttpCompletionOption.ResponseHeadersRead, cts.Token);
        using var reader = new StreamTests.SseReader(await stream.Content.ReadAsStreamAsync(cts.Token));
        await reader.NextAsync(cts.Token); // status: connected

        using var start = await app.Client.PostAsync(Base + "api/actions/snapshot", null);
        Assert.Equal(HttpStatusCode.Accepted, start.StatusCode);
        Assert.Equal("s1", (await Json.ReadAsync(start)).GetProperty("id").GetString());
        await reported.Task.WaitAsync(s_wait);

        var running = (await Json.GetAsync(app.Client, Base + "api/snapshots")).GetProperty("running");
        Assert.Equal("s1", running.GetProperty("id").GetString());
        Assert.Equal("walking heap", running.GetProperty("phase").GetString());
        Assert.Equal(1234, running.GetProperty("objects").GetInt64());
        Assert.Equal(567_890, running.GetProperty("bytes").GetInt64());
        Assert.Equal(300, running.GetProperty("elapsedMs").GetDouble());

        var progressFrame = await reader.NextAsync(e => e.Event == "snapshot", cts.Token);
        using (var frame = JsonDocument.Parse(progressFrame.Data))
        {
            Assert.Equal("running", frame.RootElement.GetProperty("state").GetString());
            Assert.Equal(1234, frame.RootElement.GetProperty("running").GetProperty("objects").GetInt64());
        }

        // One action at a time: neither a second snapshot nor a GC while this one walks the heap.
        using (var second = await app.Client.PostAsync(Base + "api/actions/snapshot", null))
        {
            Assert.Equal(HttpStatusCode.Conflict, second.StatusCode);
        }

        using (var gc = await app.Client.PostAsync(Base + "api/actions/gc", null))
        {
            Assert.Equal(HttpStatusCode.Conflict, gc.StatusCode);
        }

        release.SetResult();
        var doneFrame = await reader.NextAsync(e => e.Event == "snapshot" && e.Data.Contains("\"done\"", StringComparison.Ordinal), cts.Token);
        using (var frame = JsonDocument.Parse(doneFrame.Data))
        {
            Assert.Equal("s1", frame.RootElement.GetProperty("snapshot").GetProperty("id").GetString());
        }

        await app.Monitor.TargetActions!.SnapshotTask.WaitAsync(s_wait);
        var listing = await Json.GetAsync(app.Client, Base + "api/snapshots");
        Assert.Equal(JsonValueKind.Null, listing.GetProperty("running").ValueKind);
        var s1 = Assert.Single(listing.GetProperty("snapshots").EnumerateArray());
        var heap = ScriptedTargetActions.Heap(1);
        Assert.Equal("s1", s1.GetProperty("id").GetString());
        Assert.Equal(heap.TotalObjects, s1.GetProperty("totalObjects").GetInt64());
        Assert.Equal(heap.TotalBytes, s1.GetProperty("totalBytes").GetInt64());
        Assert.Equal(4, s1.GetProperty("types").GetInt32());
        Assert.Equal(101, s1.GetProperty("gcIndex").GetInt64());
        Assert.Equal(250, s1.GetProperty("durationMs").GetDouble());
        Assert.False(s1.GetProperty("truncated").GetBoolean());
        Assert.False(s1.TryGetProperty("error", out _));

        var events = await Json.GetAsync(app.Client, Base + "api/events");
        var marker = Assert.Single(events.GetProperty("events").EnumerateArray(), e => e.GetProperty("type").GetString() == "action.snapshot");
        Assert.Equal("s1", marker.GetProperty("snapshot").GetProperty("id").GetString());
        Assert.StartsWith("Heap snapshot s1:", marker.GetProperty("description").GetString(), StringComparison.Ordinal);

        using var next = await app.Client.PostAsync(Base + "api/actions/snapshot", null);
        Assert.Equal("s2", (await Json.ReadAsync(next)).GetProperty("id").GetString());
    }

    [Fact]
    public async Task A_snapshot_answers_its_largest_types_and_an_unknown_id_is_404()
    {
        await using var app = await Attached.StartAsync(new ScriptedTargetActions());
        string id = await TakeAsync(app);
        var all = await Json.GetAsync(app.Client, Base + "api/snapshots/" + id);
        Assert.Equal(id, all.GetProperty("id").GetString());
        Assert.Equal(4, all.GetProperty("top").GetArrayLength());
        var top = (await Json.GetAsync(app.Client, Base + $"api/snapshots/{id}?top=2")).GetProperty("top").EnumerateArray().ToArray();
        Assert.Equal(["System.Byte[]", "System.String"], top.Select(t => t.GetProperty("name").GetString()));
        Assert.Equal(10, top[0].GetProperty("count").GetInt64());
        Assert.Equal(1_000_000, top[0].GetProperty("bytes").GetInt64());

        using var unknown = await app.Client.GetAsync(Base + "api/snapshots/s99");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Contains("s99", (await Json.ReadAsync(unknown)).GetProperty("error").GetString()!, StringComparison.Ordinal);
        using var bad = await app.Client.GetAsync(Base + $"api/snapshots/{id}?top=none");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
    }

    [Fact]
    public async Task The_diff_of_two_snapshots_puts_the_type_that_grew_most_first()
    {
        await using var app = await Attached.StartAsync(new ScriptedTargetActions());
        string a = await TakeAsync(app);
        string b = await TakeAsync(app);
        string c = await TakeAsync(app);
        var diff = await Json.GetAsync(app.Client, Base + $"api/snapshots/diff?a={a}&b={c}");
        Assert.Equal(a, diff.GetProperty("a").GetProperty("id").GetString());
        Assert.Equal(c, diff.GetProperty("b").GetProperty("id").GetString());
        var rows = diff.GetProperty("rows").EnumerateArray().ToArray();
        Assert.Equal(["Leaky.Order", "System.Byte[]", "System.String", "Shrinking"], rows.Select(r => r.GetProperty("name").GetString()));
        Assert.Equal(1000, rows[0].GetProperty("countBefore").GetInt64());
        Assert.Equal(3000, rows[0].GetProperty("countAfter").GetInt64());
        Assert.Equal(100_000, rows[0].GetProperty("bytesBefore").GetInt64());
        Assert.Equal(300_000, rows[0].GetProperty("bytesAfter").GetInt64());
        Assert.Equal(200_000 - 2000, diff.GetProperty("bytesDelta").GetInt64());
        Assert.Equal(2000 - 2, diff.GetProperty("countDelta").GetInt64());

        var one = await Json.GetAsync(app.Client, Base + $"api/snapshots/diff?a={a}&b={b}&top=1");
        Assert.Equal("Leaky.Order", Assert.Single(one.GetProperty("rows").EnumerateArray()).GetProperty("name").GetString());

        using var unknown = await app.Client.GetAsync(Base + $"api/snapshots/diff?a={a}&b=s99");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        using var missing = await app.Client.GetAsync(Base + $"api/snapshots/diff?a={a}");
        Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
    }

    [Fact]
    public async Task At_most_MaxSnapshots_are_kept_the_oldest_dropped_first()
    {
        await using var app = await Attached.StartAsync(new ScriptedTargetActions(), maxSnapshots: 3);
        for (int i = 0; i < 5; i++)
        {
            await TakeAsync(app);
        }

        var listing = await Json.GetAsync(app.Client, Base + "api/snapshots");
        Assert.Equal(["s5", "s4", "s3"], listing.GetProperty("snapshots").EnumerateArray().Select(s => s.GetProperty("id").GetString()));
        Assert.Equal(3, app.Monitor.TargetActions!.Snapshots.Count);
        using var dropped = await app.Client.GetAsync(Base + "api/snapshots/s1");
        Assert.Equal(HttpStatusCode.NotFound, dropped.StatusCode);
    }

    [Fact]
    public async Task The_new_routes_need_the_access_token()
    {
        await using var app = await Attached.StartAsync(new ScriptedTargetActions(), token: "s3cret");
        foreach (string route in new[] { "api/snapshots", "api/snapshots/s1", "api/snapshots/diff?a=s1&b=s2" })
        {
            using var denied = await app.Client.GetAsync(Base + route);
            Assert.Equal(HttpStatusCode.Unauthorized, denied.StatusCode);
        }

        foreach (string action in new[] { "gc", "snapshot" })
        {
            using var denied = await app.Client.PostAsync(Base + "api/actions/" + action, null);
            Assert.Equal(HttpStatusCode.Unauthorized, denied.StatusCode);
            Assert.True((await Json.ReadAsync(denied)).GetProperty("tokenRequired").GetBoolean());
        }

        Assert.Empty(app.Monitor.TargetActions!.Snapshots);
        using var allowed = await app.Client.PostAsync(Base + "api/actions/gc?access_token=s3cret", null);
        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
    }

    private static async Task<string> TakeAsync(Attached app)
    {
        using var start = await app.Client.PostAsync(Base + "api/actions/snapshot", null);
        Assert.Equal(HttpStatusCode.Accepted, start.StatusCode);
        string id = (await Json.ReadAsync(start)).GetProperty("id").GetString()!;
        await app.Monitor.TargetActions!.SnapshotTask.WaitAsync(s_wait);
        return id;
    }

    /// <summary>A dashboard over a monitor of "another process" (pid 4242) that the given actions act on.</summary>
    private sealed class Attached : IAsyncDisposable
    {
        private readonly DashboardApp _app;

        private Attached(DashboardApp app, MemLensMonitor monitor)
        {
            _app = app;
            Monitor = monitor;
        }

        public MemLensMonitor Monitor { get; }

        public HttpClient Client => _app.Client;

        public static async Task<Attached> StartAsync(ITargetActions? actions, SettableMemorySource? memory = null, int maxSnapshots = 16, string? token = null)
        {
            var options = new MemLensOptions { MaxSnapshots = maxSnapshots, AccessToken = token };
            var monitor = new MemLensMonitor(new MetricStore(), [memory ?? new SettableMemorySource()], new MemLensTarget(4242, "fake", "dotnet", InProcess: false), options, targetActions: actions);
            var app = await DashboardApp.StartAsync(map: a => a.MapMemLens("/debug/memlens", monitor));
            return new Attached(app, monitor);
        }

        public async ValueTask DisposeAsync()
        {
            await _app.DisposeAsync();
            Monitor.Dispose();
        }
    }
}
