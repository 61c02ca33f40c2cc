using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Xunit;

namespace MemLens.EndToEnd.Tests;

/// <summary>
/// The figures memlens prints for a live, quiescent process equal what independent tools report:
/// RSS and VSZ from ps(1), PSS from the sum of the Pss lines of /proc/PID/smaps (what smem reports).
/// </summary>
/// <remarks>
/// The references are read while memlens runs: memlens is itself a .NET process that maps the same
/// runtime libraries as the demo, so while it lives the demo's shared pages are divided among one more
/// process and the demo's PSS is lower (by 1–2 % on a quiet machine). A reference read before or after
/// memlens would measure a different sharing.
/// </remarks>
public sealed class FiguresMatchReferenceTests
{
    [Fact]
    public async Task Ps_json_reports_rss_vsz_and_pss_like_ps_and_smaps()
    {
        await using var demo = await DemoProcess.StartAsync("--scenario", "idle");
        await WaitUntilQuiescentAsync(demo.Pid); // start-up work (JIT, tiering) has settled

        var references = new List<(long Rss, long Vsz, long Pss)>();
        int code;
        string stdout, stderr;
        int attempt = 0;
        do
        {
            // ps is quick: on a loaded machine it can end before one reference read (ps + smaps) finished
            // while it ran; it is run again then, since a reference from after it would not be comparable.
            references.Clear();
            (code, stdout, stderr) = await ToolProcess.RunAsync(TimeSpan.FromSeconds(60),
                alive => CollectAsync(demo.Pid, alive, references), "ps", "--json", "--sort", "pid");
        }
        while (references.Count == 0 && ++attempt < 5);

        Assert.True(code == 0, stderr);
        using var doc = JsonDocument.Parse(stdout);
        var row = doc.RootElement.EnumerateArray().Single(e => e.GetProperty("pid").GetInt32() == demo.Pid);
        Assert.Equal("dotnet", row.GetProperty("runtime").GetString());
        Assert.True(row.GetProperty("attachable").GetBoolean(), "the demo publishes a diagnostic port");
        var metrics = row.GetProperty("metrics");
        AssertWithin1Percent(references.Select(r => r.Rss).ToList(), metrics.GetProperty("process.memory.rss").GetInt64(), "RSS");
        AssertWithin1Percent(references.Select(r => r.Vsz).ToList(), metrics.GetProperty("process.memory.virtual").GetInt64(), "VSZ");
        AssertWithin1Percent(references.Select(r => r.Pss).ToList(), metrics.GetProperty("process.memory.pss").GetInt64(), "PSS");
    }

    [Fact]
    public async Task Watch_json_lines_report_rss_vsz_and_pss_like_ps_and_smaps()
    {
        await using var demo = await DemoProcess.StartAsync("--scenario", "idle");
        await WaitUntilQuiescentAsync(demo.Pid);

        var references = new List<(long Rss, long Vsz, long Pss)>();
        var (code, stdout, stderr) = await ToolProcess.RunAsync(TimeSpan.FromSeconds(60),
            alive => CollectAsync(demo.Pid, alive, references), "watch", demo.Pid.ToString(CultureInfo.InvariantCulture), "--json-lines", "--duration", "3s");

        Assert.True(code == 0, stderr);
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        AssertOneLinePerSample(lines, TimeSpan.FromSeconds(3));
        using var last = JsonDocument.Parse(lines[^1]);
        var root = last.RootElement;
        Assert.Equal(demo.Pid, root.GetProperty("pid").GetInt32());
        var t = DateTimeOffset.Parse(root.GetProperty("t").GetString()!, CultureInfo.InvariantCulture);
        Assert.InRange(DateTimeOffset.UtcNow - t, TimeSpan.Zero, TimeSpan.FromSeconds(30));
        Assert.Equal(JsonValueKind.Array, root.GetProperty("events").ValueKind);
        var metrics = root.GetProperty("metrics");
        AssertWithin1Percent(references.Select(r => r.Rss).ToList(), metrics.GetProperty("process.memory.rss").GetInt64(), "RSS");
        AssertWithin1Percent(references.Select(r => r.Vsz).ToList(), metrics.GetProperty("process.memory.virtual").GetInt64(), "VSZ");
        AssertWithin1Percent(references.Select(r => r.Pss).ToList(), metrics.GetProperty("process.memory.pss").GetInt64(), "PSS");
        Assert.True(metrics.GetProperty("process.threads").GetInt32() > 1);
    }

    /// <summary>
    /// A line per RSS sample (one a second), and one more when a round brings series never seen before (the runtime's
    /// figures once the attach completes), never more: at most one per second of the duration, plus the first, plus those.
    /// Times only go forward. Nothing here needs the machine to be fast: a slow one prints fewer lines.
    /// </summary>
    private static void AssertOneLinePerSample(string[] lines, TimeSpan duration)
    {
        Assert.NotEmpty(lines);
        var parsed = lines.Select(l =>
        {
            using var doc = JsonDocument.Parse(l);
            var root = doc.RootElement;
            return (T: DateTimeOffset.Parse(root.GetProperty("t").GetString()!, CultureInfo.InvariantCulture), Series: root.GetProperty("metrics").EnumerateObject().Count());
        }).ToList();
        int newSeries = Enumerable.Range(1, parsed.Count - 1).Count(i => parsed[i].Series > parsed[i - 1].Series);
        Assert.True(parsed.Count <= (int)duration.TotalSeconds + 1 + newSeries, $"{parsed.Count} lines in {duration.TotalSeconds} s ({newSeries} with new series)");
        Assert.All(Enumerable.Range(1, parsed.Count - 1), i => Assert.True(parsed[i].T >= parsed[i - 1].T, $"line {i} goes back in time"));
    }

    /// <summary>Waits until the process's RSS stops moving: three reads in a row within 0.5 % of each other.</summary>
    private static async Task WaitUntilQuiescentAsync(int pid)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        var recent = new List<long>();
        while (true)
        {
            recent.Add((await ReferenceAsync(pid)).Rss);
            if (recent.Count >= 3 && recent.TakeLast(3).Max() - recent.TakeLast(3).Min() <= recent[^1] * 0.005)
            {
                return;
            }

            Assert.True(DateTime.UtcNow < deadline, $"the demo's RSS did not settle: {string.Join(", ", recent.TakeLast(5))}");
            await Task.Delay(200);
        }
    }

    // A quiescent process barely moves while memlens runs; memlens must be within 1 % of the range of
    // the references read meanwhile.
    private static void AssertWithin1Percent(List<long> references, long actual, string what)
    {
        Assert.NotEmpty(references);
        long low = references.Min(), high = references.Max();
        double diff = actual < low ? (low - actual) / (double)low : actual > high ? (actual - high) / (double)high : 0;
        Assert.True(diff <= 0.01, $"{what}: memlens says {actual}, the reference says {low}..{high} over {references.Count} reads ({diff:P2} apart)");
    }

    // Keeps only references whose reading ended while memlens was still running, after its start-up.
    private static async Task CollectAsync(int pid, Func<bool> memlensAlive, List<(long Rss, long Vsz, long Pss)> into)
    {
        await Task.Delay(50);
        var reference = await ReferenceAsync(pid);
        if (memlensAlive())
        {
            into.Add(reference);
        }
    }

    private static async Task<(long Rss, long Vsz, long Pss)> ReferenceAsync(int pid)
    {
        var psi = new ProcessStartInfo("ps") { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in new[] { "-o", "rss=,vsz=", "-p", pid.ToString(CultureInfo.InvariantCulture) })
        {
            psi.ArgumentList.Add(a);
        }

        using var ps = Process.Start(psi)!;
        string output = await ps.StandardOutput.ReadToEndAsync();
        await ps.WaitForExitAsync();
        var parts = output.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        long rss = long.Parse(parts[0], CultureInfo.InvariantCulture) * 1024;
        long vsz = long.Parse(parts[1], CultureInfo.InvariantCulture) * 1024;

        long pssKb = 0;
        foreach (var line in await File.ReadAllLinesAsync($"/proc/{pid}/smaps"))
        {
            if (line.StartsWith("Pss:", StringComparison.Ordinal))
            {
                pssKb += long.Parse(line.AsSpan(4).Trim().ToString().Split(' ')[0], CultureInfo.InvariantCulture);
            }
        }

        return (rss, vsz, pssKb * 1024);
    }
}
