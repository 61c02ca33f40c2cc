using System.Diagnostics;
using System.Text.Json;
using Xunit;

namespace MemLens.EndToEnd.Tests.Snapshots;

/// <summary>`memlens snapshot` and `memlens diff` against real processes: the demo's leak, a process that dies mid-walk, non-.NET and missing processes.</summary>
public sealed class SnapshotCommandTests : IDisposable
{
    private const string LeakedType = "MemLens.Demo.Scenarios.LeakedOrder";
    private readonly string _dir = Directory.CreateTempSubdirectory("memlens-snap-test-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Diff_of_two_snapshots_of_the_leak_names_the_leaked_type_first_and_pprof_lists_it()
    {
        await using var demo = await DemoProcess.StartAsync("--scenario", "leak", "--rate", "16");
        string a = Path.Combine(_dir, "a.json");
        string b = Path.Combine(_dir, "b.json");
        string pprof = Path.Combine(_dir, "b.pb.gz");

        var first = await ToolProcess.RunAsync(TimeSpan.FromSeconds(60), "snapshot", demo.Pid.ToString(), "-o", a);
        Assert.True(first.ExitCode == 0, first.Stderr);
        Assert.Contains(LeakedType, first.Stdout, StringComparison.Ordinal); // the top table
        await Task.Delay(TimeSpan.FromSeconds(3));
        var second = await ToolProcess.RunAsync(TimeSpan.FromSeconds(60), "snapshot", demo.Pid.ToString(), "-o", b, "--pprof", pprof, "--json");
        Assert.True(second.ExitCode == 0, second.Stderr);
        using (var summary = JsonDocument.Parse(second.Stdout))
        {
            Assert.Equal(demo.Pid, summary.RootElement.GetProperty("pid").GetInt32());
            Assert.False(summary.RootElement.GetProperty("truncated").GetBoolean());
            Assert.Equal(0, summary.RootElement.GetProperty("events_lost").GetInt64());
        }

        // How much each snapshot counts is checked against known counts in SnapshotCountTests; here, that the diff of
        // two complete snapshots names the leak.

        var diff = await ToolProcess.RunAsync(TimeSpan.FromSeconds(30), "diff", a, b, "--json");
        Assert.True(diff.ExitCode == 0, diff.Stderr);
        Assert.Equal("", diff.Stderr); // same process, complete snapshots: no warning
        using (var doc = JsonDocument.Parse(diff.Stdout))
        {
            var top = doc.RootElement.GetProperty("types")[0];
            Assert.Equal(LeakedType, top.GetProperty("name").GetString());
            // ~3 s at 16 MiB/s is ~48 MiB of orders; at least some MiB must have been added.
            Assert.True(top.GetProperty("bytes_delta").GetInt64() > 8L << 20, diff.Stdout);
            Assert.True(top.GetProperty("count_delta").GetInt64() > 1000, diff.Stdout);
        }

        var go = await ToolProcess.RunProgramAsync("go", "tool", "pprof", "-top", pprof);
        Assert.True(go.ExitCode == 0, go.Stderr);
        Assert.Contains(LeakedType, go.Stdout, StringComparison.Ordinal);
        Assert.Contains("Type: inuse_space", go.Stdout + go.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_target_killed_during_the_heap_walk_keeps_the_walked_objects_marked_partial_with_one_line_and_exit_code_5()
    {
        // Eight million objects: the walk takes about a second. Redirected, memlens prints "walking heap" once, with the
        // first objects counted; the target is killed then, mid-walk, so objects were walked and must be kept.
        await using var target = await HeapTargetProcess.StartAsync(8_000_000);
        string file = Path.Combine(_dir, "partial.json");
        await using var tool = RunningTool.Start("snapshot", target.Pid.ToString(), "-o", file);
        await tool.WaitForStderrLineAsync($"memlens: snapshot of {target.Pid}: walking heap, ", TimeSpan.FromSeconds(60));

        target.Process.Kill();
        int code = await tool.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.True(code == 5, $"exit code {code}: {tool.Stderr}");
        var errors = tool.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Where(l => !l.Contains("snapshot of", StringComparison.Ordinal) && !l.Contains("saved the snapshot", StringComparison.Ordinal)).ToList();
        var line = Assert.Single(errors);
        Assert.StartsWith($"memlens: partial snapshot: process {target.Pid} exited during the heap walk; only the objects walked until then are counted", line, StringComparison.Ordinal);
        using var doc = JsonDocument.Parse(await File.ReadAllTextAsync(file));
        Assert.True(doc.RootElement.GetProperty("truncated").GetBoolean());
        long nodes = doc.RootElement.GetProperty("types").EnumerateArray().Where(t => t.GetProperty("name").GetString() == "Node").Sum(t => t.GetProperty("count").GetInt64());
        Assert.InRange(nodes, 1, target.Objects - 1);
    }

    [Fact]
    public async Task A_process_that_is_not_dotnet_gives_one_line_and_exit_code_1()
    {
        using var sleep = Process.Start(new ProcessStartInfo("sleep", "60") { UseShellExecute = false })!;
        try
        {
            var (code, stdout, stderr) = await ToolProcess.RunAsync(TimeSpan.FromSeconds(30), "snapshot", sleep.Id.ToString(), "-o", Path.Combine(_dir, "x.json"));
            Assert.Equal(1, code);
            Assert.Equal("", stdout);
            Assert.Equal($"memlens: process {sleep.Id} (sleep) is not a .NET process (no .NET runtime loaded, no diagnostic socket); heap snapshots need a .NET process", stderr.Trim());
            Assert.False(File.Exists(Path.Combine(_dir, "x.json")));
        }
        finally
        {
            sleep.Kill();
        }
    }

    [Fact]
    public async Task A_pid_that_does_not_exist_gives_one_line_and_exit_code_3()
    {
        // Above the kernel's pid_max no process can exist.
        int pidMax = int.Parse(File.ReadAllText("/proc/sys/kernel/pid_max").Trim(), System.Globalization.CultureInfo.InvariantCulture);
        var (code, _, stderr) = await ToolProcess.RunAsync(TimeSpan.FromSeconds(30), "snapshot", (pidMax + 1).ToString(), "-o", Path.Combine(_dir, "x.json"));
        Assert.Equal(3, code);
        Assert.Equal($"memlens: no process with PID {pidMax + 1}", stderr.Trim());
    }

    [Fact]
    public async Task Diff_of_a_corrupt_file_gives_one_line_and_exit_code_1()
    {
        string bad = Path.Combine(_dir, "bad.json");
        await File.WriteAllTextAsync(bad, "{\"format\":\"memlens-heap-snapshot\",\"version\":1,\"process_id\":1,");
        var (code, stdout, stderr) = await ToolProcess.RunAsync(TimeSpan.FromSeconds(30), "diff", bad, bad);
        Assert.Equal(1, code);
        Assert.Equal("", stdout);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith($"memlens: {bad}: not a MemLens snapshot: invalid or truncated JSON", line, StringComparison.Ordinal);
    }
}
