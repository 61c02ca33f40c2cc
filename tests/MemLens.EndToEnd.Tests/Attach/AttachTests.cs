using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Xunit;

namespace MemLens.EndToEnd.Tests.Attach;

/// <summary>
/// memlens attached to a live .NET process from outside (EventPipe): the figures it reports against the process's
/// own <c>GC.GetGCMemoryInfo()</c>, a GC induced from outside, and <c>memlens run</c> attaching before the first GC.
/// </summary>
public sealed class AttachTests
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Runtime_figures_from_eventpipe_equal_the_childs_own_GCMemoryInfo_for_the_same_gc()
    {
        // idle: no GC of its own after ready, so the GC asked for below is the only one and the meter's
        // "last collection" figures are that GC's.
        await using var demo = await DemoProcess.StartAsync("--scenario", "idle");
        await using var tool = RunningTool.Start("watch", Pid(demo), "--json-lines");
        await WaitForMetricAsync(tool, "dotnet.gc.allocated", _ => true);

        var (gc, reference) = await GcSeenByBothAsync(demo, tool, "gc", "gcinfo full");
        Assert.Equal(2, gc.GetProperty("generation").GetInt32());
        Assert.Equal("full-blocking", gc.GetProperty("kind").GetString());

        // The pause is timed differently (suspension to restart from the events, against the GC's own clock): same order.
        double pause = gc.GetProperty("pause").GetDouble();
        double ownPause = reference.GetProperty("pause_total_seconds").GetDouble();
        Assert.InRange(pause, ownPause * 0.5, ownPause * 2 + 0.002);

        // Committed is not in the GC events; the runtime's meter reports it for the last GC, which is this one.
        long committed = reference.GetProperty("committed").GetInt64();
        await WaitForMetricAsync(tool, "dotnet.gc.committed", v => (long)v == committed);
        await WaitForMetricAsync(tool, "dotnet.gc.heap.size", v => (long)v == reference.GetProperty("heap_size").GetInt64());
        await WaitForMetricAsync(tool, "dotnet.gc.gen2.collections", v => (long)v == reference.GetProperty("collections").GetProperty("gen2").GetInt64());

        // An ephemeral GC too: a gen1 GC's figures, same rule.
        var (gen1, _) = await GcSeenByBothAsync(demo, tool, "gc1", "gcinfo ephemeral");
        Assert.Equal("ephemeral", gen1.GetProperty("kind").GetString());
    }

    /// <summary>
    /// Runtimes before .NET 9 have no System.Runtime meter; their EventCounters are read instead. .NET 10 still
    /// publishes them, so the path is tested here by asking for it.
    /// </summary>
    [Fact]
    public async Task Event_counters_give_committed_and_generation_sizes_equal_to_the_childs_own()
    {
        await using var demo = await DemoProcess.StartAsync("--scenario", "idle");
        await using var tool = RunningTool.Start("watch", Pid(demo), "--json-lines", "--runtime-counters", "event-counters");
        await WaitForMetricAsync(tool, "dotnet.gc.gen2.size", _ => true);

        var (_, reference) = await GcSeenByBothAsync(demo, tool, "gc", "gcinfo full");
        await WaitForMetricAsync(tool, "dotnet.gc.committed", v => (long)v == reference.GetProperty("committed").GetInt64());
        string[] metrics = ["dotnet.gc.gen0.size", "dotnet.gc.gen1.size", "dotnet.gc.gen2.size", "dotnet.gc.loh.size", "dotnet.gc.poh.size"];
        int g = 0;
        foreach (var generation in reference.GetProperty("generations").EnumerateArray())
        {
            long expected = generation.GetProperty("size_after").GetInt64();
            await WaitForMetricAsync(tool, metrics[g++], v => (long)v == expected);
        }

        // The meter's instruments are not read on this path.
        Assert.DoesNotContain("dotnet.gc.allocated", tool.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Gc_command_induces_a_blocking_gen2_gc_that_the_watch_records_and_the_gc_count_rises()
    {
        await using var demo = await DemoProcess.StartAsync("--scenario", "idle");
        await using var tool = RunningTool.Start("watch", Pid(demo), "--json-lines");
        double before = await WaitForMetricAsync(tool, "dotnet.gc.collections", _ => true);

        var (code, stdout, stderr) = await ToolProcess.RunAsync(TimeSpan.FromSeconds(60), "gc", Pid(demo), "--json");
        Assert.True(code == 0, stderr);
        using var result = JsonDocument.Parse(stdout);
        var induced = result.RootElement.GetProperty("gc");
        long index = induced.GetProperty("index").GetInt64();
        Assert.Equal(2, induced.GetProperty("generation").GetInt32());
        Assert.Equal("full-blocking", induced.GetProperty("kind").GetString());
        Assert.StartsWith("Induced", induced.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.True(result.RootElement.GetProperty("before").GetProperty("process.memory.rss").GetInt64() > 0);
        Assert.True(result.RootElement.GetProperty("after").GetProperty("process.memory.rss").GetInt64() > 0);

        var seen = await WaitForGcEventAsync(tool, e => e.GetProperty("index").GetInt64() == index);
        Assert.Equal(2, seen.GetProperty("generation").GetInt32());
        Assert.Equal("full-blocking", seen.GetProperty("kind").GetString());
        await WaitForMetricAsync(tool, "dotnet.gc.collections", v => v >= before + 1);

        // The process's own count agrees.
        using var own = JsonDocument.Parse((await demo.AskAsync("gcinfo", "gcinfo "))["gcinfo ".Length..]);
        Assert.Equal(index, own.RootElement.GetProperty("index").GetInt64());
    }

    [Fact]
    public async Task Run_attaches_before_the_program_starts_so_its_first_gc_is_recorded_and_returns_its_exit_code()
    {
        var (code, stdout, stderr) = await ToolProcess.RunAsync(TimeSpan.FromSeconds(90),
            "run", "--json-lines", "--", ToolProcess.Dotnet, ToolProcess.DemoDll, "--scenario", "steady", "--duration", "3s");

        Assert.True(code == 0, stderr);
        Assert.Contains("ready pid=", stdout, StringComparison.Ordinal); // the child's stdout passes through
        var gcs = JsonLines(stdout).SelectMany(l => l.GetProperty("events").EnumerateArray())
            .Where(e => e.GetProperty("type").GetString() == "gc").ToList();
        Assert.Contains(gcs, e => e.GetProperty("index").GetInt64() == 1 && e.GetProperty("origin").GetString() == "eventpipe");
        Assert.Contains("exited with code 0", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_of_a_program_that_is_not_dotnet_watches_it_through_proc_and_returns_its_exit_code()
    {
        var (code, _, stderr) = await ToolProcess.RunAsync(TimeSpan.FromSeconds(60), "run", "--json-lines", "--", "sh", "-c", "sleep 4; exit 7");

        Assert.Equal(7, code);
        Assert.Contains("not a .NET process", stderr, StringComparison.Ordinal);
        Assert.Contains("exited with code 7", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Gc_of_a_process_that_is_not_dotnet_or_does_not_exist_says_so_in_one_line()
    {
        using var sleeper = Process.Start("sleep", "30");
        try
        {
            var (code, _, stderr) = await ToolProcess.RunAsync(TimeSpan.FromSeconds(30), "gc", sleeper.Id.ToString(CultureInfo.InvariantCulture));
            Assert.Equal(1, code);
            Assert.Single(stderr.Trim().Split('\n'));
            Assert.Contains("has no .NET diagnostic port", stderr, StringComparison.Ordinal);

            (code, _, stderr) = await ToolProcess.RunAsync(TimeSpan.FromSeconds(30), "gc", "999999999");
            Assert.Equal(3, code);
            Assert.Equal("memlens: no process with PID 999999999.", stderr.Trim());
        }
        finally
        {
            sleeper.Kill();
        }
    }

    // Asks the demo for a GC, then for its own record of it, and returns memlens's event for the same index after
    // checking every figure both report.
    private static async Task<(JsonElement Gc, JsonElement Reference)> GcSeenByBothAsync(DemoProcess demo, RunningTool tool, string gcCommand, string gcinfoCommand)
    {
        long index = long.Parse((await demo.AskAsync(gcCommand, "gc done ")).Split(' ')[2], CultureInfo.InvariantCulture);
        using var own = JsonDocument.Parse((await demo.AskAsync(gcinfoCommand, "gcinfo "))["gcinfo ".Length..]);
        var reference = own.RootElement.Clone();
        Assert.Equal(index, reference.GetProperty("index").GetInt64());

        var gc = await WaitForGcEventAsync(tool, e => e.GetProperty("index").GetInt64() == index);
        Assert.Equal("eventpipe", gc.GetProperty("origin").GetString());
        Assert.Equal(reference.GetProperty("generation").GetInt32(), gc.GetProperty("generation").GetInt32());
        Assert.Equal(reference.GetProperty("compacted").GetBoolean(), gc.GetProperty("compacted").GetBoolean());
        Assert.Equal(reference.GetProperty("heap_size").GetInt64(), gc.GetProperty("heap_after").GetInt64());
        Assert.Equal(reference.GetProperty("promoted").GetInt64(), gc.GetProperty("promoted").GetInt64());
        Assert.Equal(reference.GetProperty("fragmented").GetInt64(), gc.GetProperty("fragmented").GetInt64());
        Assert.Equal(reference.GetProperty("pinned_objects").GetInt64(), gc.GetProperty("pinned_objects").GetInt64());
        foreach (var generation in reference.GetProperty("generations").EnumerateArray())
        {
            string name = generation.GetProperty("name").GetString()!;
            var ours = gc.GetProperty("generations").GetProperty(name);
            foreach (string field in new[] { "size_before", "size_after", "fragmentation_before", "fragmentation_after" })
            {
                Assert.True(generation.GetProperty(field).GetInt64() == ours.GetProperty(field).GetInt64(),
                    $"GC #{index} {name}.{field}: the process says {generation.GetProperty(field).GetInt64()}, memlens {ours.GetProperty(field).GetInt64()}");
            }
        }

        return (gc, reference);
    }

    [Fact]
    public async Task A_second_watch_of_the_same_process_gets_the_runtime_figures_too_and_says_it_shares_the_meter()
    {
        await using var demo = await DemoProcess.StartAsync("--scenario", "idle");
        await using var first = RunningTool.Start("watch", Pid(demo), "--json-lines");
        await WaitForMetricAsync(first, "dotnet.gc.committed", v => v > 0);
        await using var second = RunningTool.Start("watch", Pid(demo), "--json-lines");
        await WaitForMetricAsync(second, "dotnet.gc.committed", v => v > 0);

        // The runtime's meter serves one aggregation: the second watch reads the first one's values, and says so.
        var notes = JsonLines(second.Stdout).SelectMany(l => l.GetProperty("events").EnumerateArray())
            .Where(e => e.GetProperty("type").GetString() == "source.note").Select(e => e.GetProperty("message").GetString()).ToList();
        Assert.Contains(notes, n => n!.Contains("another tool already reads the runtime's meter", StringComparison.Ordinal));

        // Both see a GC induced now.
        long index = long.Parse((await demo.AskAsync("gc", "gc done ")).Split(' ')[2], CultureInfo.InvariantCulture);
        await WaitForGcEventAsync(first, e => e.GetProperty("index").GetInt64() == index);
        await WaitForGcEventAsync(second, e => e.GetProperty("index").GetInt64() == index);
    }

    /// <summary>The suite runs as root (test.sh installs packages); the tool is run as <c>nobody</c> against root's process.</summary>
    [Fact]
    public async Task Gc_snapshot_and_watch_of_another_users_process_are_refused_and_say_why()
    {
        Assert.True(OperatingSystem.IsLinux() && Environment.UserName == "root", "this test runs memlens as another user and needs root on Linux (as test.sh does)");
        await using var demo = await DemoProcess.StartAsync("--scenario", "idle");
        string home = Directory.CreateTempSubdirectory("memlens-nobody-").FullName;
        if (OperatingSystem.IsLinux())
        {
            File.SetUnixFileMode(home, (UnixFileMode)0x1FF); // rwx for nobody
        }

        Task<(int ExitCode, string Stdout, string Stderr)> AsNobody(params string[] args) =>
            ToolProcess.RunAsUserAsync("nobody", home, TimeSpan.FromSeconds(60), args);

        var (gcCode, _, gcError) = await AsNobody("gc", Pid(demo));
        Assert.True(gcCode == 4, gcError);
        Assert.Contains("permission denied", gcError, StringComparison.Ordinal);

        string snapshotFile = Path.Combine(home, "s.json");
        var (snapshotCode, _, snapshotError) = await AsNobody("snapshot", Pid(demo), "-o", snapshotFile);
        Assert.True(snapshotCode == 4, snapshotError); // 4: permission denied (memlens --help)
        Assert.Contains($"process {Pid(demo)} (dotnet) belongs to user id 0; only that user or root can attach to it", snapshotError, StringComparison.Ordinal);
        Assert.Single(snapshotError.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.False(File.Exists(snapshotFile), "a refused snapshot left a file");

        // watch still shows what /proc lets this user read, and says why the runtime's view is missing.
        var (watchCode, watchOutput, watchError) = await AsNobody("watch", Pid(demo), "--json-lines", "--duration", "3s");
        Assert.True(watchCode == 0, watchError);
        Assert.Contains("no runtime figures: permission denied", watchError, StringComparison.Ordinal);
        var lines = JsonLines(watchOutput).ToList();
        Assert.NotEmpty(lines);
        Assert.All(lines, l => Assert.True(l.GetProperty("metrics").GetProperty("process.memory.rss").GetDouble() > 0));
        Assert.All(lines, l => Assert.False(l.GetProperty("metrics").TryGetProperty("dotnet.gc.heap.size", out _), "a runtime figure without access to the runtime"));
        Directory.Delete(home, recursive: true);
    }

    private static string Pid(DemoProcess demo) => demo.Pid.ToString(CultureInfo.InvariantCulture);

    private static IEnumerable<JsonElement> JsonLines(string stdout)
    {
        foreach (string line in stdout.Split('\n'))
        {
            if (line.StartsWith("{\"t\"", StringComparison.Ordinal))
            {
                using var doc = JsonDocument.Parse(line);
                yield return doc.RootElement.Clone();
            }
        }
    }

    // The latest value of a metric once it satisfies the condition; fails with the last value seen.
    private static async Task<double> WaitForMetricAsync(RunningTool tool, string metric, Func<double, bool> condition)
    {
        var deadline = Stopwatch.StartNew();
        double? last = null;
        while (deadline.Elapsed < s_wait)
        {
            foreach (var line in JsonLines(tool.Stdout).Reverse())
            {
                if (line.GetProperty("metrics").TryGetProperty(metric, out var v))
                {
                    last = v.GetDouble();
                    break;
                }
            }

            if (last is { } value && condition(value))
            {
                return value;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"{metric} did not reach the expected value within {s_wait}; last value {last?.ToString(CultureInfo.InvariantCulture) ?? "none"}. stderr: {tool.Stderr}");
    }

    private static async Task<JsonElement> WaitForGcEventAsync(RunningTool tool, Func<JsonElement, bool> match)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < s_wait)
        {
            var found = JsonLines(tool.Stdout).SelectMany(l => l.GetProperty("events").EnumerateArray())
                .FirstOrDefault(e => e.GetProperty("type").GetString() == "gc" && match(e));
            if (found.ValueKind == JsonValueKind.Object)
            {
                return found;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"no matching GC event within {s_wait}. stdout: {tool.Stdout[..Math.Min(tool.Stdout.Length, 2000)]} stderr: {tool.Stderr}");
    }
}
