using System.Diagnostics;
using Microsoft.Data.Sqlite;
using Xunit;
using Xunit.Abstractions;

namespace MemLens.Recording.Tests;

/// <summary>
/// A recording process killed with SIGKILL mid-run (tests/MemLens.Recording.Crash: 30 series filled every millisecond,
/// flushed every 200 ms) leaves a file that passes integrity_check and holds every value up to the last flush.
/// </summary>
public sealed class CrashTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task A_recorder_killed_with_SIGKILL_leaves_a_sound_file_with_data_up_to_its_last_flush()
    {
        string path = _dir.File("killed.memlens");
        var psi = new ProcessStartInfo(Dotnet) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "MemLens.Recording.Crash.dll"));
        psi.ArgumentList.Add(path);
        using var child = Process.Start(psi)!;
        var stderr = new System.Text.StringBuilder();
        child.ErrorDataReceived += (_, e) =>
        {
            lock (stderr)
            {
                stderr.AppendLine(e.Data);
            }
        };
        child.BeginErrorReadLine();
        long killedAt;
        try
        {
            using var ready = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            string? line = await child.StandardOutput.ReadLineAsync(ready.Token);
            Assert.True(line == "recording", $"the child did not start recording: {line}");
            await Task.Delay(1500); // several flushes, then kill one at a random point of its cycle
            killedAt = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            child.Kill(); // SIGKILL on Linux: no finaliser, no Dispose, no checkpoint
            await child.WaitForExitAsync();
        }
        finally
        {
            if (!child.HasExited)
            {
                child.Kill();
            }
        }

        lock (stderr)
        {
            output.WriteLine(stderr.ToString());
        }

        // As the kill left them: a WAL and its index beside the database. A copy for integrity_check, so that the
        // reader below opens the original with them still there (closing the last connection folds the WAL in).
        Assert.True(File.Exists(path + "-wal"), "a killed recorder leaves its WAL");
        Assert.True(File.Exists(path + "-shm"), "a killed recorder leaves its WAL index");
        string copy = _dir.File("copy.memlens");
        foreach (string suffix in (string[])["", "-wal", "-shm"])
        {
            File.Copy(path + suffix, copy + suffix);
        }

        using (var connection = Sqlite3.Open(copy, SqliteOpenMode.ReadWrite))
        using (var check = connection.CreateCommand())
        {
            check.CommandText = "PRAGMA integrity_check";
            Assert.Equal("ok", check.ExecuteScalar());
        }

        using var reader = RecordingReader.Open(path);
        Assert.Equal("crash-test", reader.Facts[RecordingFacts.MemLensCommand]);
        Assert.False(reader.Facts.ContainsKey(RecordingFacts.RecordingStopped));
        Assert.Equal(30, reader.Series.Count);

        // Each round appends its number to every series: what was recorded of each is a prefix without a gap. (A flush
        // reads the series one after the other while rounds go on, so the last ones may hold a few rounds more.)
        foreach (var series in reader.Series)
        {
            var points = reader.ReadSeries(series.Metric, long.MinValue, long.MaxValue).Select(p => p.Mean).ToList();
            Assert.Equal(Enumerable.Range(1, points.Count).Select(i => (double)i), points);
        }

        var rss = reader.ReadSeries("process.memory.rss", long.MinValue, long.MaxValue).ToList();
        long lag = killedAt - rss[^1].TimestampMs;
        output.WriteLine($"{rss.Count} rounds recorded; the last one {lag} ms before the kill");
        // 200 ms flushes: the last value is from well under a second before the kill; 3 s leaves room for a loaded machine.
        Assert.InRange(lag, 0, 3000);
        Assert.NotEmpty(reader.ReadEvents(long.MinValue, long.MaxValue));
        CorruptFileTests.ReadEverything(path);
    }

    private static string Dotnet =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";
}
