using System.Globalization;
using System.Text.Json;
using MemLens.Recording.Tests;
using Microsoft.Data.Sqlite;
using Xunit;

namespace MemLens.EndToEnd.Tests.Recording;

/// <summary>
/// `memlens watch --record` on a real file system that fills up while it records (a 4 MiB tmpfs filled by another
/// file) and is freed again: one stderr line each way, the events on the recording's timeline, and the file sound
/// with no gap where the disk was full.
/// </summary>
public sealed class DiskFullCommandTests
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(60);

    [RootFact]
    public async Task A_full_disk_is_one_stderr_line_and_the_seconds_it_lasted_reach_the_file_once_space_returns()
    {
        using var fs = SmallFileSystem.Mount(4L << 20);
        string path = fs.File("watch.db");
        await using var demo = await DemoProcess.StartAsync("--scenario", "leak");
        await using var tool = RunningTool.Start("watch", demo.Pid.ToString(CultureInfo.InvariantCulture), "--json-lines", "--record", path);
        await tool.WaitForLineAsync("{", s_timeout);
        await WaitUntilAsync(() => SampleCount(path) > 0, "the first flush");

        fs.Fill();
        string paused = await tool.WaitForStderrLineAsync($"memlens: recording to {path} paused: the disk is full", s_timeout);
        int printedAtPause = Samples(tool.Stdout).Count;
        await WaitUntilAsync(() => Samples(tool.Stdout).Count >= printedAtPause + 5, "five samples while the disk is full");

        fs.Free();
        await tool.WaitForStderrLineAsync($"memlens: recording to {path} resumed: wrote ", s_timeout);
        long lastPrinted = Samples(tool.Stdout)[^1];
        Assert.Equal(0, await tool.InterruptAsync(TimeSpan.FromSeconds(15)));

        // Said once each way, whatever the number of attempts in between.
        string[] stderr = tool.Stderr.Split('\n');
        Assert.Single(stderr, l => l.Contains(" paused: the disk is full", StringComparison.Ordinal));
        Assert.Single(stderr, l => l.Contains(" resumed: wrote ", StringComparison.Ordinal));
        Assert.Contains("the newest data is kept in memory and written when there is room", paused, StringComparison.Ordinal);

        // The file, read with SQLite itself: sound, both events on its timeline, RSS at 1 Hz without a gap.
        Assert.Equal("ok", Scalar(path, "PRAGMA integrity_check"));
        Assert.Equal(["recording.disk_full", "recording.resumed"], Column(path, "SELECT type FROM events WHERE type LIKE 'recording.%' ORDER BY t, id"));
        var times = Column(path, """
            SELECT s.t FROM (SELECT metric, t FROM samples UNION ALL SELECT metric, t FROM recent) s
            JOIN metrics m ON m.id = s.metric WHERE m.name = 'process.memory.rss' ORDER BY s.t
            """).Select(t => long.Parse(t, CultureInfo.InvariantCulture)).ToList();
        long widest = times.Zip(times.Skip(1), (a, b) => b - a).Max();
        Assert.True(widest <= 3_000, $"a gap of {widest} ms between recorded RSS samples"); // sampled every second
        Assert.True(times[^1] >= lastPrinted, $"the last sample printed before space returned ({lastPrinted}) is not in the file (last {times[^1]})");
    }

    [RootFact]
    public async Task A_full_disk_shows_in_the_dashboards_status_and_timeline_and_clears_when_space_returns()
    {
        using var fs = SmallFileSystem.Mount(4L << 20);
        string path = fs.File("dashboard.db");
        await using var demo = await DemoProcess.StartAsync("--scenario", "idle");
        await using var tool = RunningTool.Start("watch", demo.Pid.ToString(CultureInfo.InvariantCulture), "--no-browser", "--record", path);
        var url = new Uri(await tool.WaitForLineAsync("Dashboard:", s_timeout));
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        await WaitUntilAsync(() => SampleCount(path) > 0, "the first flush");
        Assert.Equal("recording", (await RecordingStatusAsync(http, url)).State);

        fs.Fill();
        var full = await WaitForStatusAsync(http, url, "disk_full");
        Assert.Contains("full", full.LastError, StringComparison.OrdinalIgnoreCase);
        using (var events = JsonDocument.Parse(await http.GetStringAsync(new Uri(url, "api/events"))))
        {
            Assert.Single(events.RootElement.GetProperty("events").EnumerateArray(), e => e.GetProperty("type").GetString() == "recording.disk_full");
        }

        fs.Free();
        await WaitForStatusAsync(http, url, "recording");
        Assert.Equal(0, await tool.InterruptAsync(TimeSpan.FromSeconds(15)));
    }

    private static async Task<(string State, string? LastError)> RecordingStatusAsync(HttpClient http, Uri url)
    {
        using var status = JsonDocument.Parse(await http.GetStringAsync(new Uri(url, "api/status")));
        var sink = Assert.Single(status.RootElement.GetProperty("sinks").EnumerateArray(), s => s.GetProperty("name").GetString() == "recording");
        return (sink.GetProperty("state").GetString()!, sink.GetProperty("lastError").GetString());
    }

    private static async Task<(string State, string? LastError)> WaitForStatusAsync(HttpClient http, Uri url, string state)
    {
        var deadline = DateTime.UtcNow + s_timeout;
        while (true)
        {
            var status = await RecordingStatusAsync(http, url);
            if (status.State == state)
            {
                return status;
            }

            Assert.True(DateTime.UtcNow < deadline, $"api/status said the recording is '{status.State}' ({status.LastError}), not '{state}', for {s_timeout}");
            await Task.Delay(100);
        }
    }

    private static List<long> Samples(string stdout) =>
        stdout.Split('\n').Where(l => l.StartsWith('{')).Select(l =>
        {
            using var doc = JsonDocument.Parse(l);
            return DateTimeOffset.Parse(doc.RootElement.GetProperty("t").GetString()!, CultureInfo.InvariantCulture).ToUnixTimeMilliseconds();
        }).ToList();

    private static long SampleCount(string path)
    {
        try
        {
            return (long)(Scalar(path, "SELECT (SELECT count(*) FROM recent) + (SELECT count(*) FROM samples)") ?? 0L);
        }
        catch (SqliteException)
        {
            return 0; // the schema not written yet
        }
    }

    private static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + s_timeout;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"no {what} within {s_timeout}");
            await Task.Delay(100);
        }
    }

    private static object? Scalar(string path, string sql)
    {
        using var db = Open(path);
        using var command = db.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }

    private static List<string> Column(string path, string sql)
    {
        using var db = Open(path);
        using var command = db.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var values = new List<string>();
        while (reader.Read())
        {
            values.Add(Convert.ToString(reader.GetValue(0), CultureInfo.InvariantCulture)!);
        }

        return values;
    }

    private static SqliteConnection Open(string path)
    {
        var db = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        db.Open();
        return db;
    }
}
