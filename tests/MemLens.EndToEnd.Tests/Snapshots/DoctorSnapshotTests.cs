using System.Globalization;
using System.Text.Json;
using MemLens.EndToEnd.Tests.Attach;
using Xunit;
using Xunit.Abstractions;

namespace MemLens.EndToEnd.Tests.Snapshots;

/// <summary>
/// <c>memlens doctor &lt;pid&gt; --snapshots</c> on the demo's leak: the managed-leak finding names the leaked type and,
/// from the heap graph, the static field that holds it; both snapshot files are saved for <c>memlens diff</c>.
/// </summary>
public sealed class DoctorSnapshotTests(ITestOutputHelper output)
{
    [Fact]
    public async Task The_managed_leak_finding_names_the_growing_type_and_the_static_field_holding_it()
    {
        await using var demo = await DemoProcess.StartAsync("--scenario", "leak", "--rate", "1");
        string dir = Directory.CreateTempSubdirectory("memlens-doctor-snapshots-").FullName;
        try
        {
            // 90 s: past the doctor's shortest trend window (80 s) at 1 MiB/s, so the leak is well past its 16 MiB threshold.
            var (code, stdout, stderr) = await ToolProcess.RunAsync(TimeSpan.FromMinutes(4),
                "doctor", demo.Process.Id.ToString(CultureInfo.InvariantCulture), "--snapshots", "--snapshot-dir", dir, "--duration", "90s", "--json");
            output.WriteLine(stderr);
            output.WriteLine(stdout);
            Assert.True(code == 0, stderr);

            using var report = JsonDocument.Parse(stdout);
            var leak = report.RootElement.GetProperty("findings").EnumerateArray().Single(f => f.GetProperty("id").GetString() == "managed-leak");
            string[] evidence = [.. leak.GetProperty("evidence").EnumerateArray().Select(e => e.GetString()!)];
            string grew = Assert.Single(evidence, e => e.StartsWith("MemLens.Demo.Scenarios.LeakedOrder grew +", StringComparison.Ordinal));
            Assert.Contains("held by static MemLens.Demo.Scenarios.LeakScenario.KeptForever", grew, StringComparison.Ordinal);

            string[] files = Directory.GetFiles(dir, "*.memlens-snapshot.json");
            Assert.Equal(2, files.Length);
            string diffStep = Assert.Single(leak.GetProperty("next_steps").EnumerateArray().Select(s => s.GetString()!), s => s.Contains("memlens diff", StringComparison.Ordinal));
            Assert.All(files, f => Assert.Contains(f, diffStep, StringComparison.Ordinal));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task On_a_process_that_is_not_dotnet_snapshots_are_said_to_not_apply_and_it_is_observed_without_them()
    {
        using var sleeper = System.Diagnostics.Process.Start("sleep", "60");
        string dir = Directory.CreateTempSubdirectory("memlens-doctor-snapshots-").FullName;
        try
        {
            var (code, stdout, stderr) = await ToolProcess.RunAsync(TimeSpan.FromMinutes(1),
                "doctor", sleeper.Id.ToString(CultureInfo.InvariantCulture), "--snapshots", "--snapshot-dir", dir, "--duration", "2s", "--json");
            Assert.True(code == 0, stderr);
            Assert.Contains($"memlens: --snapshots applies to .NET processes; PID {sleeper.Id} runs native, so it is observed without them.", stderr, StringComparison.Ordinal);
            using var report = JsonDocument.Parse(stdout);
            Assert.NotEmpty(report.RootElement.GetProperty("findings").EnumerateArray());
            Assert.Empty(Directory.GetFiles(dir));
        }
        finally
        {
            sleeper.Kill();
            Directory.Delete(dir, recursive: true);
        }
    }

    [Theory]
    [InlineData("--snapshots")]
    [InlineData("--snapshot-dir", "/tmp")]
    public async Task Snapshot_options_on_a_recording_are_a_usage_error_in_one_line(params string[] option)
    {
        string db = Path.Combine(ToolProcess.WorkDir, "no-such-recording.db");
        var (code, stdout, stderr) = await ToolProcess.RunAsync(TimeSpan.FromSeconds(60), ["doctor", db, .. option]);
        Assert.Equal(2, code);
        Assert.Equal("", stdout);
        Assert.Equal("memlens: --snapshots and --snapshot-dir apply to observing a live .NET process, not to a recording.", stderr.TrimEnd('\n'));
    }
}
