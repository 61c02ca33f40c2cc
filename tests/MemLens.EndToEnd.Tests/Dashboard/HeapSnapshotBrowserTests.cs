using System.Text.Json;
using MemLens.Actions;
using MemLens.AspNetCore;
using MemLens.Events;
using MemLens.Snapshots;
using MemLens.Tests.Shared.Snapshots;
using Microsoft.Playwright;
using Xunit;
using Xunit.Abstractions;

namespace MemLens.EndToEnd.Tests.Dashboard;

/// <summary>
/// The page's Full GC button and heap snapshots panel in Debian's Chromium: once against a scripted target (the
/// page's logic, deterministic), once against `memlens watch` of the leaking demo with the real
/// MemLens.Diagnostics.DotNetTargetActions.
/// </summary>
[Collection(BrowserCollection.Name)]
public class HeapSnapshotBrowserTests(Chromium chromium, ITestOutputHelper output)
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan s_snapshot = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Snapshots_list_types_and_diff_and_the_full_gc_shows_before_and_after_on_a_scripted_target()
    {
        // This test process, read from outside through /proc (so the charts have data to mark), acted on by a script.
        using var monitor = MemLensMonitor.ForProcess(new MemLensTarget(Environment.ProcessId, "scripted", "dotnet", InProcess: false), new MemLensOptions(), targetActions: new ScriptedTarget());
        await using var server = MemLensServer.Start(monitor, new MemLensServerOptions());
        var page = await OpenAsync(server.Url);

        await TakeSnapshotAsync(page, expected: 1);
        await TakeSnapshotAsync(page, expected: 2);
        await CompareAsync(page);
        string first = await page.EvaluateAsync<string>("() => window.__memlens.diffFirst");
        Assert.Equal("Scripted.LeakedThing", first);
        await Assertions.Expect(page.Locator(".diff-table tbody tr").First).ToHaveClassAsync("grew");
        await Assertions.Expect(page.Locator(".diff-table tbody tr").First).ToContainTextAsync("+1,000");

        // One snapshot's largest types, with their share.
        await page.Locator(".snapshot-table button[data-snapshot-id=\"s2\"]").ClickAsync();
        await page.WaitForFunctionAsync("() => window.__memlens.snapshotDetail === 's2'", null, Timeout(s_wait));
        await Assertions.Expect(page.Locator(".types-table tbody tr").First).ToContainTextAsync("System.Byte[]");
        await Assertions.Expect(page.Locator(".types-table tbody tr").First).ToContainTextAsync("%");

        await FullGcAsync(page);
        await page.WaitForFunctionAsync("() => (window.__memlens.actionMarkers ?? 0) >= 1", null, Timeout(s_wait));
        await page.ScreenshotAsync(new() { Path = Chromium.ScreenshotPath("dashboard-snapshots-scripted.png"), FullPage = true });
        await page.Context.CloseAsync();
    }

    /// <summary>
    /// Who holds it, in the page: snapshots whose retention was computed by the real analysis from a graph built in the
    /// test (<see cref="LeakingHeap"/>: sessions leaking through <c>static Hub.Changed</c>). The retention view shows
    /// the root row; expanding by keyboard and mouse reaches <c>Leaky.Session</c> with its retained bytes; choosing a
    /// row shows its path; the diff shows the "held by" path and sorts by retained growth. A hostile type name is shown
    /// as text, never as markup.
    /// </summary>
    [Fact]
    public async Task The_retention_view_expands_from_the_static_root_to_the_leaked_type_and_the_diff_shows_who_holds_the_growth()
    {
        string[] names = [.. LeakingHeap.TypeNames];
        names[4] = "Evil<img src=x onerror=\"window.__pwned=1\">";
        using var monitor = MemLensMonitor.ForProcess(new MemLensTarget(Environment.ProcessId, "scripted", "dotnet", InProcess: false), new MemLensOptions(),
            targetActions: new RetentionTarget(names));
        await using var server = MemLensServer.Start(monitor, new MemLensServerOptions());
        var page = await OpenAsync(server.Url);
        await TakeSnapshotAsync(page, expected: 1);
        await TakeSnapshotAsync(page, expected: 2);

        await OpenRetentionAsync(page, "s2");
        var types = page.Locator(".types-table tbody tr").Filter(new() { Has = page.Locator("td.type-name", new() { HasTextRegex = new System.Text.RegularExpressions.Regex(@"^Leaky\.Session$") }) });
        await Assertions.Expect(types).ToContainTextAsync("static Hub.Changed → System.EventHandler → System.Object[]");

        var table = page.Locator(".retention-table");
        var hub = table.Locator("tbody tr.retention-root", new() { HasText = "static Hub.Changed" });
        await Assertions.Expect(hub).ToBeVisibleAsync();
        await Assertions.Expect(table.Locator("tbody tr.retention-root", new() { HasText = "pinned handle" })).ToBeVisibleAsync();
        Assert.Equal(2, await page.EvaluateAsync<int>("() => window.__memlens.retentionRows"));

        // Expand the root with the keyboard (→ on its row), the next two levels with the mouse.
        await hub.Locator("button.retention-name").FocusAsync();
        await page.Keyboard.PressAsync("ArrowRight");
        var handler = table.Locator("tbody tr", new() { HasText = "System.EventHandler" });
        await Assertions.Expect(handler).ToBeVisibleAsync();
        await Assertions.Expect(hub.Locator("button.retention-toggle")).ToHaveAttributeAsync("aria-expanded", "true");
        await handler.Locator("button.retention-toggle").ClickAsync();
        var list = table.Locator("tbody tr", new() { HasText = "System.Object[]" });
        await list.Locator("button.retention-toggle").ClickAsync();
        var session = table.Locator("tbody tr", new() { HasText = "Leaky.Session" });
        await Assertions.Expect(session).ToBeVisibleAsync();
        // 400 sessions of 48 B, each with a 1,000 B payload: 419,200 B = 409.4 KiB retained, 18.8 KiB own.
        Assert.Equal(419_200, LeakingHeap.SessionsRetained(2));
        await Assertions.Expect(session.Locator("td").Nth(1)).ToHaveTextAsync("400");
        await Assertions.Expect(session.Locator("td").Nth(2)).ToHaveTextAsync("18.8 KiB");
        await Assertions.Expect(session.Locator("td").Nth(3)).ToHaveTextAsync("409.4 KiB");

        await session.Locator("button.retention-name").ClickAsync();
        await page.WaitForFunctionAsync("() => !!window.__memlens.retentionPath", null, Timeout(s_wait));
        Assert.Equal("static Hub.Changed → System.EventHandler → System.Object[] → Leaky.Session", await page.EvaluateAsync<string>("() => window.__memlens.retentionPath"));
        await Assertions.Expect(page.Locator(".retention-path")).ToContainTextAsync("400 objects");
        await Assertions.Expect(page.Locator(".retention-steps li")).ToHaveTextAsync(["static Hub.Changed", "System.EventHandler", "System.Object[]", "Leaky.Session"]);

        // The hostile name is a row's text, not an element.
        var evilPath = await ExpandToTypeAsync(page, "s2", names[4]);
        Assert.Equal(["pinned handle", "System.Object[]", names[4]], evilPath);
        await Assertions.Expect(table.Locator("tbody tr", new() { HasText = names[4] })).ToBeVisibleAsync();
        Assert.Equal(0, await page.Locator(".retention-table img").CountAsync());
        Assert.False(await page.EvaluateAsync<bool>("() => !!window.__pwned"));

        // The diff: the payload's growth is held by the sessions of the static event; by retained growth the holders lead.
        await CompareAsync(page);
        Assert.Equal("System.Byte[]", await page.EvaluateAsync<string>("() => window.__memlens.diffFirst"));
        var payloadRow = page.Locator(".diff-table tbody tr").First;
        await Assertions.Expect(payloadRow.Locator("td.held-by")).ToContainTextAsync("static Hub.Changed → System.EventHandler → System.Object[] → Leaky.Session");
        await Assertions.Expect(payloadRow.Locator("td.held-by")).ToContainTextAsync("(+195.3 KiB)");
        await page.Locator("#diff-sort").SelectOptionAsync("retained");
        await page.WaitForFunctionAsync("() => window.__memlens.diffSort === 'retained'", null, Timeout(s_wait));
        var order = await page.EvaluateAsync<string[]>("() => window.__memlens.diffRows");
        Assert.Equal(["System.Object[]", "System.EventHandler", "Leaky.Session", "System.Byte[]"], order.Take(4));
        var heldBy = await page.EvaluateAsync<string?[]>("() => window.__memlens.diffHeldBy");
        Assert.Equal("static Hub.Changed → System.EventHandler → System.Object[]", heldBy[2]);
        await page.ScreenshotAsync(new() { Path = Chromium.ScreenshotPath("dashboard-retention-scripted.png"), FullPage = true });
        await page.Context.CloseAsync();
    }

    /// <summary>
    /// A wide tree (one root holding 5,000 types, the most a snapshot keeps is 20,000 nodes): the page asks for the
    /// 1,000 largest, draws 50 rows of a level and a "more" button, 50 more per press, and says what it did not load.
    /// </summary>
    [Fact]
    public async Task A_wide_retention_tree_is_drawn_a_page_per_level_with_more_on_demand()
    {
        var nodes = new List<RetentionNode> { new(-1, RetentionNodeKind.Root, "static Big.Cache", 1, 0, 1L << 40) };
        for (int i = 1; i <= 5000; i++)
        {
            nodes.Add(new RetentionNode(0, RetentionNodeKind.Type, "Big.Entry" + i, 1, 100, 1_000_000 - i));
        }

        var wide = new HeapSnapshot(4242, "wide", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), [new TypeStat("Big.Entry1", 5000, 500_000)])
        {
            Retention = new HeapRetention(nodes, new Dictionary<string, long>()),
        };
        using var monitor = MemLensMonitor.ForProcess(new MemLensTarget(Environment.ProcessId, "scripted", "dotnet", InProcess: false), new MemLensOptions(),
            targetActions: new FixedTarget(wide));
        await using var server = MemLensServer.Start(monitor, new MemLensServerOptions());
        var page = await OpenAsync(server.Url);
        await TakeSnapshotAsync(page, expected: 1);
        await OpenRetentionAsync(page, "s1");
        var table = page.Locator(".retention-table");
        await table.Locator("tr[data-node=\"0\"] button.retention-toggle").ClickAsync();
        await page.WaitForFunctionAsync("() => window.__memlens.retentionRows === 51", null, Timeout(s_wait));
        await Assertions.Expect(table.Locator("button[data-more=\"0\"]")).ToHaveTextAsync("949 more…");
        await Assertions.Expect(table.Locator("tr.retention-more", new() { HasText = "not loaded" })).ToContainTextAsync("4,001 smaller paths not loaded");
        await Assertions.Expect(page.Locator(".snapshot-retention .snapshot-sub")).ToContainTextAsync("the 1,000 largest shown");
        await table.Locator("button[data-more=\"0\"]").ClickAsync();
        await page.WaitForFunctionAsync("() => window.__memlens.retentionRows === 101", null, Timeout(s_wait));
        Assert.Equal(101, await table.Locator("tbody tr[data-node]").CountAsync());
        await page.Context.CloseAsync();
    }

    /// <summary>A histogram-only snapshot (no retention data) shows a plain empty state in the retention view, and the diff no "held by" column.</summary>
    [Fact]
    public async Task A_snapshot_without_retention_data_says_so_in_the_retention_view()
    {
        using var monitor = MemLensMonitor.ForProcess(new MemLensTarget(Environment.ProcessId, "scripted", "dotnet", InProcess: false), new MemLensOptions(), targetActions: new ScriptedTarget());
        await using var server = MemLensServer.Start(monitor, new MemLensServerOptions());
        var page = await OpenAsync(server.Url);
        await TakeSnapshotAsync(page, expected: 1);
        await TakeSnapshotAsync(page, expected: 2);
        await OpenRetentionAsync(page, "s1");
        await Assertions.Expect(page.Locator(".retention-empty")).ToContainTextAsync("no retention data");
        Assert.Equal(0, await page.Locator(".retention-table").CountAsync());
        await CompareAsync(page);
        Assert.Equal(0, await page.Locator(".diff-table td.held-by").CountAsync());
        await Assertions.Expect(page.Locator(".snapshot-diff .snapshot-sub")).ToContainTextAsync("no retention data");
        await page.Context.CloseAsync();
    }

    /// <summary>
    /// A snapshot whose walk lost events, through the dashboard's API (what the page reads): the snapshot says
    /// <c>eventsLost</c>, <c>incomplete</c>, <c>truncated</c> and the note, and a diff with it says <c>incomplete</c>.
    /// </summary>
    [Fact]
    public async Task A_snapshot_whose_walk_lost_events_is_flagged_incomplete_in_the_snapshot_and_diff_json()
    {
        using var monitor = MemLensMonitor.ForProcess(new MemLensTarget(Environment.ProcessId, "scripted", "dotnet", InProcess: false), new MemLensOptions(),
            targetActions: new ScriptedTarget(eventsLostOnSecond: 2767));
        await using var server = MemLensServer.Start(monitor, new MemLensServerOptions());
        using var http = new HttpClient { BaseAddress = server.Url };
        for (int expected = 1; expected <= 2; expected++)
        {
            using (var started = await http.PostAsync("api/actions/snapshot", null))
            {
                Assert.Equal(System.Net.HttpStatusCode.Accepted, started.StatusCode);
            }

            var deadline = System.Diagnostics.Stopwatch.StartNew();
            while (true)
            {
                using var listing = JsonDocument.Parse(await http.GetStringAsync("api/snapshots"));
                if (listing.RootElement.GetProperty("snapshots").GetArrayLength() >= expected && listing.RootElement.GetProperty("running").ValueKind == JsonValueKind.Null)
                {
                    break;
                }

                Assert.True(deadline.Elapsed < s_wait, "the scripted snapshot did not finish: " + listing.RootElement);
                await Task.Delay(50);
            }
        }

        using (var whole = JsonDocument.Parse(await http.GetStringAsync("api/snapshots/s1")))
        {
            Assert.Equal(0, whole.RootElement.GetProperty("eventsLost").GetInt64());
            Assert.False(whole.RootElement.GetProperty("incomplete").GetBoolean());
        }

        using (var lossy = JsonDocument.Parse(await http.GetStringAsync("api/snapshots/s2")))
        {
            Assert.Equal(2767, lossy.RootElement.GetProperty("eventsLost").GetInt64());
            Assert.True(lossy.RootElement.GetProperty("incomplete").GetBoolean());
            Assert.True(lossy.RootElement.GetProperty("truncated").GetBoolean());
            Assert.StartsWith("incomplete: the runtime dropped 2,767 events", lossy.RootElement.GetProperty("note").GetString(), StringComparison.Ordinal);
        }

        using var diff = JsonDocument.Parse(await http.GetStringAsync("api/snapshots/diff?a=s1&b=s2"));
        Assert.True(diff.RootElement.GetProperty("incomplete").GetBoolean());
        Assert.True(diff.RootElement.GetProperty("b").GetProperty("truncated").GetBoolean());
    }

    /// <summary>
    /// The real thing, end to end: `memlens watch` of the leaking demo, two heap snapshots 3 s apart through
    /// MemLens.Diagnostics.DotNetTargetActions (EventPipe), their diff with the static field holding the growth, the
    /// retention view down to the leaked type, and a full GC induced from the page.
    /// </summary>
    [Fact]
    public async Task Watch_of_the_leaking_demo_two_snapshots_apart_name_the_leaking_type_and_the_full_gc_shows_before_and_after()
    {
        await using var demo = await DemoProcess.StartAsync("--scenario", "leak", "--rate", "4", "--max-mb", "512");
        await using var tool = RunningTool.Start("watch", demo.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture), "--no-browser");
        var url = new Uri(await tool.WaitForLineAsync("Dashboard:", TimeSpan.FromSeconds(30)));
        var page = await OpenAsync(url);

        await TakeSnapshotAsync(page, expected: 1);
        await Task.Delay(TimeSpan.FromSeconds(3));
        await TakeSnapshotAsync(page, expected: 2);
        await CompareAsync(page);

        var rows = await page.EvaluateAsync<string[]>("() => window.__memlens.diffRows");
        output.WriteLine("diff, first rows: " + string.Join(", ", rows.Take(5)));
        // The demo keeps each order's payload inside the order, so the leaking type is the top growing type by bytes.
        // The second snapshot names types the first one already named only because the dashboard remembers names
        // (the watch's own GC session keeps the runtime from naming them again): this checks that too.
        Assert.Equal("MemLens.Demo.Scenarios.LeakedOrder", rows[0]);

        // Who holds it, from the real heap walk: the diff's held-by column and the retention view both start at the
        // demo's static list.
        const string Field = "static MemLens.Demo.Scenarios.LeakScenario.KeptForever";
        var heldBy = await page.EvaluateAsync<string?[]>("() => window.__memlens.diffHeldBy");
        output.WriteLine("held by, first rows: " + string.Join(" | ", heldBy.Take(3)));
        Assert.StartsWith(Field, heldBy[0], StringComparison.Ordinal);
        await OpenRetentionAsync(page, "s2");
        var path = await ExpandToTypeAsync(page, "s2", "MemLens.Demo.Scenarios.LeakedOrder");
        output.WriteLine("retention path: " + string.Join(" → ", path));
        Assert.Equal(Field, path[0]);
        Assert.Equal("MemLens.Demo.Scenarios.LeakedOrder", path[^1]);

        await FullGcAsync(page);
        await page.ScreenshotAsync(new() { Path = Chromium.ScreenshotPath("dashboard-snapshots-leak.png"), FullPage = true });
        await page.Context.CloseAsync();
        Assert.Equal(0, await tool.InterruptAsync(TimeSpan.FromSeconds(15)));
    }

    private static async Task TakeSnapshotAsync(IPage page, int expected)
    {
        await page.GetByRole(AriaRole.Button, new() { Name = "Heap snapshot" }).ClickAsync();
        await page.WaitForFunctionAsync($"() => (window.__memlens.snapshots ?? 0) >= {expected} && !window.__memlens.snapshotRunning", null, Timeout(s_snapshot));
        var row = page.Locator($".snapshot-table tbody tr[data-id=\"s{expected}\"]");
        await Assertions.Expect(row).ToBeVisibleAsync();
        string cls = await row.GetAttributeAsync("class") ?? "";
        Assert.False(cls.Contains("failed", StringComparison.Ordinal), "snapshot failed: " + await row.InnerTextAsync());
    }

    private static async Task CompareAsync(IPage page)
    {
        await Assertions.Expect(page.Locator("#diff-a")).ToHaveValueAsync("s1");
        await Assertions.Expect(page.Locator("#diff-b")).ToHaveValueAsync("s2");
        await page.Locator("#diff-button").ClickAsync();
        await page.WaitForFunctionAsync("() => !!window.__memlens.diffFirst", null, Timeout(s_wait));
        await Assertions.Expect(page.Locator(".diff-table")).ToBeVisibleAsync();
    }

    private static async Task FullGcAsync(IPage page)
    {
        await page.GetByRole(AriaRole.Button, new() { Name = "Full GC" }).ClickAsync();
        var result = page.Locator(".release-result[data-action=\"gc\"]");
        await Assertions.Expect(result).ToBeVisibleAsync(new() { Timeout = (float)s_snapshot.TotalMilliseconds });
        Assert.Equal("ok", await result.GetAttributeAsync("data-outcome"));
        await Assertions.Expect(result).ToContainTextAsync("RSS");
        await Assertions.Expect(result).ToContainTextAsync("GC heap");
        await Assertions.Expect(result).ToContainTextAsync("→");
    }

    /// <summary>Opens snapshot <paramref name="id"/> in the panel and waits for its retention view (drawn, or its empty state).</summary>
    private static async Task OpenRetentionAsync(IPage page, string id)
    {
        await page.Locator($".snapshot-table button[data-snapshot-id=\"{id}\"]").ClickAsync();
        await page.WaitForFunctionAsync($"() => window.__memlens.retentionSnapshot === '{id}'", null, Timeout(s_wait));
    }

    /// <summary>
    /// Expands the retention table, by clicking each row's toggle from the root down, to the node of type
    /// <paramref name="label"/> with the most retained bytes (found in what the page's own API answers, read through
    /// the page), and returns its path, root first. Fails when the type has no node.
    /// </summary>
    private static async Task<string[]> ExpandToTypeAsync(IPage page, string id, string label)
    {
        string json = await page.EvaluateAsync<string>("id => fetch(`api/snapshots/${id}/retention?max=20000`).then(r => r.text())", id);
        using var doc = JsonDocument.Parse(json);
        var nodes = doc.RootElement.GetProperty("retention").GetProperty("nodes").EnumerateArray()
            .Select(n => (Id: n.GetProperty("id").GetInt32(), Parent: n.GetProperty("parent").GetInt32(), Kind: n.GetProperty("kind").GetString(), Label: n.GetProperty("label").GetString()!, Retained: n.GetProperty("retained").GetInt64()))
            .ToDictionary(n => n.Id);
        var target = nodes.Values.Where(n => n.Kind == "type" && n.Label == label).OrderByDescending(n => n.Retained).Select(n => (int?)n.Id).FirstOrDefault();
        Assert.True(target is not null, $"no retention node of type {label} in snapshot {id}");
        var chain = new List<int>();
        for (int n = target.Value; n != -1; n = nodes[n].Parent)
        {
            chain.Add(n);
        }

        chain.Reverse();
        var table = page.Locator(".retention-table");
        foreach (int ancestor in chain.Take(chain.Count - 1))
        {
            var row = table.Locator($"tbody tr[data-node=\"{ancestor}\"]");
            // A level shows 50 rows at first: press its "more" button until the row is there.
            for (int more = 0; await row.CountAsync() == 0 && more < 400; more++)
            {
                await table.Locator($"button[data-more=\"{nodes[ancestor].Parent}\"]").ClickAsync();
            }

            var toggle = row.Locator("button.retention-toggle");
            if (await toggle.GetAttributeAsync("aria-expanded") != "true")
            {
                await toggle.ClickAsync();
            }
        }

        var found = table.Locator($"tbody tr[data-node=\"{target}\"]");
        for (int more = 0; await found.CountAsync() == 0 && more < 400; more++)
        {
            await table.Locator($"button[data-more=\"{nodes[target.Value].Parent}\"]").ClickAsync();
        }

        await Assertions.Expect(found).ToBeVisibleAsync();
        return [.. chain.Select(n => nodes[n].Label)];
    }

    private static PageWaitForFunctionOptions Timeout(TimeSpan t) => new() { Timeout = (float)t.TotalMilliseconds };

    private async Task<IPage> OpenAsync(Uri url)
    {
        var page = await chromium.NewPageAsync();
        var errors = new List<string>();
        page.PageError += (_, e) => errors.Add(e);
        await page.GotoAsync(url.ToString());
        await page.WaitForSelectorAsync("body[data-ready=\"1\"]", new() { Timeout = (float)s_wait.TotalMilliseconds });
        await Assertions.Expect(page.Locator("#snapshots-panel")).ToBeVisibleAsync();
        Assert.Empty(errors);
        return page;
    }

    /// <summary>A target whose every snapshot is <paramref name="snapshot"/>.</summary>
    private sealed class FixedTarget(HeapSnapshot snapshot) : ITargetActions
    {
        public Task<InducedGc> CollectAsync(CancellationToken cancellationToken) => throw new TargetActionException("no GC in this test");

        public Task<HeapSnapshot> SnapshotAsync(IProgress<SnapshotProgress>? progress, CancellationToken cancellationToken) => Task.FromResult(snapshot);
    }

    /// <summary>A target whose n-th snapshot is <see cref="LeakingHeap.Snapshot"/>(n): 200 more sessions held by <c>static Hub.Changed</c> each time.</summary>
    private sealed class RetentionTarget(string[] typeNames) : ITargetActions
    {
        private int _taken;

        public Task<InducedGc> CollectAsync(CancellationToken cancellationToken) => throw new TargetActionException("no GC in this test");

        public Task<HeapSnapshot> SnapshotAsync(IProgress<SnapshotProgress>? progress, CancellationToken cancellationToken) =>
            Task.FromResult(LeakingHeap.Snapshot(Interlocked.Increment(ref _taken), typeNames));
    }

    /// <summary>A target whose snapshots report progress for a moment and whose <c>Scripted.LeakedThing</c> grows by 1,000 objects each time.</summary>
    private sealed class ScriptedTarget(long eventsLostOnSecond = 0) : ITargetActions
    {
        private int _taken;

        public Task<InducedGc> CollectAsync(CancellationToken cancellationToken) => Task.FromResult(new InducedGc(
            new GcEvent(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), 77)
            {
                Generation = 2,
                Kind = GcKind.FullBlocking,
                HasDetails = true,
                Pause = TimeSpan.FromMilliseconds(9),
                HeapSizeBeforeBytes = 300L << 20,
                HeapSizeAfterBytes = 120L << 20,
                Origin = "eventpipe",
            },
            TimeSpan.FromMilliseconds(15)));

        public async Task<HeapSnapshot> SnapshotAsync(IProgress<SnapshotProgress>? progress, CancellationToken cancellationToken)
        {
            int n = Interlocked.Increment(ref _taken);
            for (int i = 1; i <= 4; i++)
            {
                progress?.Report(new SnapshotProgress("walking heap", i * 10_000, i * 1_000_000, TimeSpan.FromMilliseconds(i * 150)));
                await Task.Delay(150, cancellationToken);
            }

            return new HeapSnapshot(4242, "scripted", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
            [
                new TypeStat("System.Byte[]", 100, 50_000_000),
                new TypeStat("System.String", 20_000, 1_000_000),
                new TypeStat("Scripted.LeakedThing", 1000L * n, 64_000L * n),
            ])
            {
                Duration = TimeSpan.FromMilliseconds(600),
                GcIndex = 70 + n,
                EventsLost = n == 2 ? eventsLostOnSecond : 0,
                Truncated = n == 2 && eventsLostOnSecond > 0,
                Note = n == 2 && eventsLostOnSecond > 0 ? $"incomplete: the runtime dropped {eventsLostOnSecond:N0} events of the heap walk" : null,
            };
        }
    }
}
