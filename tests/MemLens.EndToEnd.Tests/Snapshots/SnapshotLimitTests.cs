using System.Globalization;
using System.Text.Json;
using MemLens.Snapshots;
using Xunit;

namespace MemLens.EndToEnd.Tests.Snapshots;

/// <summary>The bounds a snapshot keeps: an object limit that keeps what was walked, and one snapshot of a process at a time.</summary>
public sealed class SnapshotLimitTests
{
    [Fact]
    public async Task A_snapshot_over_the_object_limit_keeps_what_was_walked_marked_partial()
    {
        // 100 objects: a demo snapshotted right after it started (a loaded machine) held only 935 objects in all, so
        // a limit of 1,000 was not always crossed.
        await using var demo = await DemoProcess.StartAsync("--scenario", "leak");
        string file = Path.Combine(Path.GetTempPath(), $"memlens-limit-{Guid.NewGuid():N}.json");
        try
        {
            var (code, stdout, stderr) = await ToolProcess.RunAsync(TimeSpan.FromSeconds(60),
                "snapshot", demo.Pid.ToString(CultureInfo.InvariantCulture), "--max-objects", "100", "-o", file, "--json");

            Assert.True(code == 0, stderr);
            Assert.True(stderr.Contains("partial snapshot: stopped at the object limit (100 objects)", StringComparison.Ordinal),
                $"stderr: {stderr}\nstdout: {stdout}");
            using var summary = JsonDocument.Parse(stdout);
            Assert.True(summary.RootElement.GetProperty("truncated").GetBoolean());
            var saved = SnapshotFile.Read(file);
            Assert.True(saved.Truncated);
            Assert.InRange(saved.TotalObjects, 100, 100 + 10_000); // stops within the bulk event that crossed the limit
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task A_second_snapshot_of_the_same_process_is_refused_in_one_line_naming_the_holder()
    {
        await using var demo = await DemoProcess.StartAsync("--scenario", "idle");
        string lockPath = Path.Combine(Path.GetTempPath(), $"memlens-snapshot-{demo.Pid.ToString(CultureInfo.InvariantCulture)}.lock");
        // Hold the lock as a running snapshot does (.NET's FileShare.None is an exclusive flock on Linux) and name this
        // process as its holder.
        using (var held = new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None))
        {
            var pid = System.Text.Encoding.ASCII.GetBytes(Environment.ProcessId.ToString(CultureInfo.InvariantCulture).PadRight(11) + "\n");
            held.Write(pid);
            held.Flush();

            var (code, _, stderr) = await ToolProcess.RunAsync(TimeSpan.FromSeconds(60),
                "snapshot", demo.Pid.ToString(CultureInfo.InvariantCulture), "-o", Path.Combine(Path.GetTempPath(), "never-written.json"));

            Assert.Equal(1, code);
            Assert.Equal(
                $"memlens: a snapshot of process {demo.Pid} is already being taken by MemLens process {Environment.ProcessId}; wait for it to finish",
                stderr.Trim());
        }

        // Once it is released, the next snapshot goes ahead.
        string file = Path.Combine(Path.GetTempPath(), $"memlens-after-lock-{Guid.NewGuid():N}.json");
        try
        {
            var (after, _, afterError) = await ToolProcess.RunAsync(TimeSpan.FromSeconds(60), "snapshot", demo.Pid.ToString(CultureInfo.InvariantCulture), "-o", file);
            Assert.True(after == 0, afterError);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
