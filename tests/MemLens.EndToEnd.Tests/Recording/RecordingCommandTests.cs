using System.Globalization;
using System.Net;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Xunit;

namespace MemLens.EndToEnd.Tests.Recording;

/// <summary>
/// Recordings made by the real tool of a real process: what survives a kill -9 of memlens, and the verbs that read
/// them back (open, export, doctor).
/// </summary>
public sealed class RecordingCommandTests
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_recording_survives_kill_9_of_the_tool_and_open_and_export_read_it()
    {
        string path = Path.Combine(ToolProcess.WorkDir, $"killed-{Guid.NewGuid():N}.db");
        await using var demo = await DemoProcess.StartAsync("--scenario", "leak");
        await using var tool = RunningTool.Start("watch", Pid(demo.Pid), "--json-lines", "--record", path);
        await tool.WaitForLineAsync("{", s_timeout);
        // A few flushes (one a second): wait for six sampling rounds printed rather than for a fixed five seconds.
        var deadline = DateTime.UtcNow + s_timeout;
        while (tool.Stdout.Split('\n').Count(l => l.StartsWith('{')) < 6)
        {
            Assert.True(DateTime.UtcNow < deadline, "watch printed fewer than six samples in a minute");
            await Task.Delay(100);
        }

        long lastPrinted = LastSampleMs(tool.Stdout);
        tool.Process.Kill(); // SIGKILL: no flush, no close, the -wal left behind
        await tool.Process.WaitForExitAsync();
        Assert.True(File.Exists(path + "-wal") || File.Exists(path), "the recording is gone");

        // The file is sound and holds the data up to the last seconds before the kill.
        using (var db = new SqliteConnection($"Data Source={path}"))
        {
            db.Open();
            using var check = db.CreateCommand();
            check.CommandText = "PRAGMA integrity_check";
            Assert.Equal("ok", check.ExecuteScalar() as string);
        }

        var (code, json, stderr) = await ToolProcess.RunAsync(s_timeout, "export", path, "--format", "json", "--metrics", "process.memory.rss");
        Assert.True(code == 0, stderr);
        using var export = JsonDocument.Parse(json);
        var rss = Assert.Single(export.RootElement.GetProperty("series").EnumerateArray());
        Assert.Equal("process.memory.rss", rss.GetProperty("metric").GetString());
        var points = rss.GetProperty("points").EnumerateArray().ToList();
        Assert.True(points.Count >= 4, $"{points.Count} RSS points");
        long lastRecorded = points[^1][0].GetInt64();
        // Flushed once a second: at most the last few seconds before the kill are lost (5 s allows for a loaded machine).
        Assert.True(lastRecorded >= lastPrinted - 5_000, $"last recorded sample {lastPrinted - lastRecorded} ms older than the last printed one");
        Assert.Equal(Pid(demo.Pid), export.RootElement.GetProperty("facts").GetProperty("target.pid").GetString());
        Assert.Contains("MemLens.Demo", export.RootElement.GetProperty("facts").GetProperty("target.command_line").GetString(), StringComparison.Ordinal);

        var (csvCode, csv, _) = await ToolProcess.RunAsync(s_timeout, "export", path, "--metrics", "process.memory.rss,process.memory.anon");
        Assert.Equal(0, csvCode);
        var rows = csv.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("time,timestamp_ms,metric,unit,value,min,max,count,span_ms", rows[0]);
        Assert.Equal(["process.memory.anon", "process.memory.rss"], rows.Skip(1).Select(r => r.Split(',')[2]).Distinct().Order(StringComparer.Ordinal));

        // open: the same dashboard, not live, with the recorded series.
        await using var open = RunningTool.Start("open", path, "--no-browser", "--duration", "60s");
        var url = new Uri(await open.WaitForLineAsync("Dashboard:", s_timeout));
        Assert.Equal("#range=all", url.Fragment);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(20) };
        using (var series = JsonDocument.Parse(await http.GetStringAsync(new Uri(url, $"api/series?ids=process.memory.rss&from={points[0][0].GetInt64()}&to={lastRecorded}&points=1000"))))
        {
            var values = series.RootElement.GetProperty("series").GetProperty("process.memory.rss").GetProperty("v").EnumerateArray()
                .Where(v => v.ValueKind == JsonValueKind.Number).ToList();
            Assert.Equal(points.Count, values.Count); // every recorded sample, at full resolution
        }

        Assert.Equal(0, await open.InterruptAsync(TimeSpan.FromSeconds(15)));
    }

    [Fact]
    public async Task Reading_what_is_not_a_recording_is_one_line_and_exit_code_1()
    {
        string text = Path.Combine(ToolProcess.WorkDir, "notes.db");
        await File.WriteAllTextAsync(text, "not a database, only words\n");
        foreach (var args in new[] { new[] { "export", text }, ["open", text, "--no-browser"], ["doctor", text], ["export", Path.Combine(ToolProcess.WorkDir, "missing.db")] })
        {
            var (code, _, stderr) = await ToolProcess.RunAsync(s_timeout, args);
            Assert.True(code == 1, $"{string.Join(' ', args)}: {code} {stderr}");
            var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.StartsWith("memlens: ", line, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Watch_records_by_default_under_memlens_recordings_and_no_record_turns_it_off()
    {
        await using var demo = await DemoProcess.StartAsync("--scenario", "idle");
        string dir = Directory.CreateTempSubdirectory("memlens-rec-").FullName;
        try
        {
            var (code, _, stderr) = await ToolProcess.RunAsync(s_timeout, environment: new Dictionary<string, string>(), stdin: null,
                "watch", Pid(demo.Pid), "--json-lines", "--duration", "3s", "--record", Path.Combine(dir, "given.db"));
            Assert.True(code == 0, stderr);
            Assert.Contains("recording to ", stderr, StringComparison.Ordinal);
            Assert.Matches(@"recorded [\d,]+ values and [\d,]+ events to ", stderr);
            Assert.True(new FileInfo(Path.Combine(dir, "given.db")).Length > 0);

            // A recording is never overwritten.
            var (again, _, refused) = await ToolProcess.RunAsync(s_timeout, "watch", Pid(demo.Pid), "--json-lines", "--duration", "2s", "--record", Path.Combine(dir, "given.db"));
            Assert.Equal(1, again);
            Assert.Contains("exists", refused, StringComparison.Ordinal);

            var (quiet, _, none) = await ToolProcess.RunAsync(s_timeout, "watch", Pid(demo.Pid), "--json-lines", "--duration", "2s", "--no-record");
            Assert.Equal(0, quiet);
            Assert.DoesNotContain("recording", none, StringComparison.Ordinal);

            var (byDefault, _, said) = await ToolProcess.RunAsync(s_timeout, "watch", Pid(demo.Pid), "--json-lines", "--duration", "2s");
            Assert.Equal(0, byDefault);
            var named = System.Text.RegularExpressions.Regex.Match(said, @"recording to (memlens-recordings/MemLens\.Demo-\d{8}-\d{6}Z\.db) \(--no-record to turn off\)");
            Assert.True(named.Success, said);
            Assert.True(new FileInfo(Path.Combine(ToolProcess.WorkDir, named.Groups[1].Value)).Length > 0);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task The_demo_with_its_own_dashboard_records_itself_in_process_through_RecordTo()
    {
        string path = Path.Combine(ToolProcess.WorkDir, $"in-process-{Guid.NewGuid():N}.db");
        var (code, _, stderr) = await ToolProcess.RunAsync(s_timeout, "demo", "--scenario", "idle", "--no-browser", "--duration", "5s", "--record", path);
        Assert.True(code == 0, stderr);
        Assert.Contains("the workload records itself to", stderr, StringComparison.Ordinal);

        var (exported, json, err) = await ToolProcess.RunAsync(s_timeout, "export", path, "--format", "json");
        Assert.True(exported == 0, err);
        using var doc = JsonDocument.Parse(json);
        var facts = doc.RootElement.GetProperty("facts");
        Assert.Equal("in-process", facts.GetProperty("memlens.command").GetString());
        Assert.Equal("MemLens.Demo", facts.GetProperty("target.name").GetString());
        Assert.Equal(System.Runtime.GCSettings.IsServerGC ? "true" : "false", facts.GetProperty("dotnet.gc.server").GetString());
        Assert.True(facts.TryGetProperty("recording.stopped", out _), "the workload closed its recording when it stopped");
        var series = doc.RootElement.GetProperty("series").EnumerateArray().Select(x => x.GetProperty("metric").GetString()).ToList();
        Assert.Contains("process.memory.rss", series);
        Assert.Contains("dotnet.gc.heap.size", series); // figures from inside: the idle demo's one GC before "ready"
    }

    private static long LastSampleMs(string stdout) =>
        stdout.Split('\n').Where(l => l.StartsWith('{')).Select(l =>
        {
            using var doc = JsonDocument.Parse(l);
            return DateTimeOffset.Parse(doc.RootElement.GetProperty("t").GetString()!, CultureInfo.InvariantCulture).ToUnixTimeMilliseconds();
        }).Max();

    private static string Pid(int pid) => pid.ToString(CultureInfo.InvariantCulture);
}
