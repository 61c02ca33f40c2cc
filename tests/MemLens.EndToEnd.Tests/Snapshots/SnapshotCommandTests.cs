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
        }

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

        var go = await RunAsync("go", ["tool", "pprof", "-top", pprof]);
        Assert.True(go.ExitCode == 0, go.Stderr);
        Assert.Contains(LeakedType, go.Stdout, StringComparison.Ordinal);
        Assert.Contains("Type: inuse_space", go.Stdout + go.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_target_killed_during_the_snapshot_gives_one_line_and_exit_code_5()
    {
        // Eight million objects: attaching and walking take several seconds here, so a kill at most 0.7 s after memlens
        // took its per-target lock (which it does just before attaching) lands while the snapshot runs: before the
        // session, before the first object, or mid-walk; each must end in one line and exit code 5. (The tool's
        // "walking heap" line can come late: TraceEvent orders events across threads before it hands them out. With two
        // million objects the whole snapshot once took 0.9 s and ended before the kill.)
        await using var target = await HeapTargetProcess.StartAsync(8_000_000);
        string lockFile = Path.Combine(Path.GetTempPath(), $"memlens-snapshot-{target.Pid}.lock");
        File.Delete(lockFile); // a stale one from an earlier process with this pid
        string file = Path.Combine(_dir, "partial.json");
        await using var tool = RunningTool.Start("snapshot", target.Pid.ToString(), "-o", file);
        try
        {
            var deadline = Stopwatch.StartNew();
            while (!File.Exists(lockFile))
            {
                Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(30), "memlens took no lock: " + tool.Stderr);
                await Task.Delay(5);
            }

            // Then into the walk if possible: at its first sign, or 700 ms after the lock (attach takes ~0.5 s here).
            var sinceLock = Stopwatch.StartNew();
            while (sinceLock.Elapsed < TimeSpan.FromMilliseconds(700) && !tool.Stderr.Contains("walking heap", StringComparison.Ordinal))
            {
                await Task.Delay(5);
            }

            target.Process.Kill();
            int code = await tool.WaitForExitAsync(TimeSpan.FromSeconds(60));

            Assert.True(code == 5, $"exit code {code}: {tool.Stderr}");
            var errors = tool.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries)
                .Where(l => !l.Contains("snapshot of", StringComparison.Ordinal) && !l.Contains("saved the snapshot", StringComparison.Ordinal)).ToList();
            var line = Assert.Single(errors);
            Assert.Contains($"process {target.Pid} exited", line, StringComparison.Ordinal);
            if (File.Exists(file))
            {
                // Objects were walked before the exit: they are kept, marked partial.
                using var doc = JsonDocument.Parse(await File.ReadAllTextAsync(file));
                Assert.True(doc.RootElement.GetProperty("truncated").GetBoolean());
                Assert.StartsWith("memlens: partial snapshot:", line, StringComparison.Ordinal);
            }
        }
        finally
        {
            File.Delete(lockFile);
        }
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

    private static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(string program, string[] args)
    {
        var psi = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            psi.ArgumentList.Add(arg);
        }

        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await p.WaitForExitAsync(cts.Token);
        return (p.ExitCode, await stdout, await stderr);
    }
}
