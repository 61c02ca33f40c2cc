using MemLens.Metrics;
using MemLens.Storage;
using Xunit;

namespace MemLens.Recording.Tests;

/// <summary>After Start the recorder never throws into the host: it reports, retries, and gives up once, loudly.</summary>
public sealed class RecorderFailureTests : IDisposable
{
    private static readonly RecorderOptions s_manual = new() { FlushInterval = TimeSpan.FromHours(1) }; // flushes driven by the test
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void SQLites_page_limit_is_a_full_disk_and_nothing_is_lost_once_there_is_room_again()
    {
        var store = new MetricStore();
        using var recorder = Recorder.Start(store, _dir.File("full.memlens"), new Dictionary<string, string>(), s_manual);
        Append(store, 0, 100);
        recorder.Flush();
        recorder.Writer.SetMaxPageCount(1); // clamped to the pages in use: any growth fails like a full disk
        Append(store, 100, 20_000);
        recorder.Flush();
        Assert.Contains("full", recorder.LastError, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', recorder.LastError!);
        Assert.Equal(RecorderState.DiskFull, recorder.State);
        Assert.Equal(0, recorder.ConsecutiveFailures); // waited out, never counted towards giving up
        Assert.Equal(100, recorder.ValuesWritten);

        recorder.Writer.SetMaxPageCount(1L << 30);
        recorder.Flush();
        Assert.Null(recorder.LastError);
        Assert.Equal(RecorderState.Recording, recorder.State);
        Assert.Equal(0, recorder.ConsecutiveFailures);
        Assert.Equal(20_100, recorder.ValuesWritten);
        using var reader = RecordingReader.Open(recorder.Path);
        Assert.Equal(Enumerable.Range(0, 20_100).Select(i => (double)i), reader.ReadSeries("process.memory.rss", long.MinValue, long.MaxValue).Select(p => p.Mean));
    }

    [Fact]
    public void The_background_flush_reports_a_full_disk_without_throwing()
    {
        var store = new MetricStore();
        using var recorder = Recorder.Start(store, _dir.File("background-full.memlens"), new Dictionary<string, string>(),
            new RecorderOptions { FlushInterval = TimeSpan.FromMilliseconds(20) });
        recorder.Flush();
        recorder.Writer.SetMaxPageCount(1);
        Append(store, 0, 20_000);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (recorder.LastError is null)
        {
            Assert.True(DateTime.UtcNow < deadline, "no error reported");
            Thread.Sleep(10);
        }

        Assert.Contains("full", recorder.LastError, StringComparison.Ordinal);
        Assert.False(recorder.HasFailed);
        Assert.Equal(RecorderState.DiskFull, recorder.State);
    }

    [Fact]
    public void After_ten_failures_in_a_row_recording_stops_and_Failed_is_raised_once()
    {
        var store = new MetricStore();
        string path = _dir.File("gives-up.memlens");
        var recorder = Recorder.Start(store, path, new Dictionary<string, string>(), s_manual);
        var reasons = new List<string>();
        recorder.Failed += reasons.Add;
        recorder.Failed += _ => throw new InvalidOperationException("a handler's bug must not reach the host");
        File.Delete(path); // a failure that does not pass by itself (a full disk is waited out instead)
        Append(store, 0, 20_000);
        for (int i = 0; i < Recorder.MaxConsecutiveFailures - 1; i++)
        {
            recorder.Flush();
            Assert.False(recorder.HasFailed);
        }

        Assert.Empty(reasons);
        recorder.Flush();
        Assert.True(recorder.HasFailed);
        var reason = Assert.Single(reasons);
        Assert.StartsWith("recording stopped after 10 failed attempts: ", reason, StringComparison.Ordinal);
        Assert.Contains("was deleted", reason, StringComparison.Ordinal);
        Assert.Equal(reason, recorder.LastError);
        Assert.Equal(RecorderState.Stopped, recorder.State);

        recorder.Flush(); // stopped for good: nothing more, no second event
        recorder.Dispose();
        recorder.Dispose();
        Assert.Single(reasons);
    }

    [Fact]
    public void A_deleted_file_is_reported_and_ends_the_recording()
    {
        var store = new MetricStore();
        string path = _dir.File("deleted.memlens");
        using var recorder = Recorder.Start(store, path, new Dictionary<string, string>(), s_manual);
        string? reason = null;
        recorder.Failed += r => reason = r;
        Append(store, 0, 10);
        recorder.Flush();
        File.Delete(path);
        Append(store, 10, 10);
        recorder.Flush();
        Assert.Equal($"recording to {path} failed: {path} was deleted", recorder.LastError);
        for (int i = 1; i < Recorder.MaxConsecutiveFailures; i++)
        {
            recorder.Flush();
        }

        Assert.NotNull(reason);
        Assert.Contains("was deleted", reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_reader_pinning_the_WAL_is_reported_and_the_bound_holds_again_once_it_is_done()
    {
        var store = new MetricStore();
        const long maxBytes = 1L << 20;
        using var recorder = Recorder.Start(store, _dir.File("pinned.memlens"), new Dictionary<string, string>(),
            new RecorderOptions { MaxBytes = maxBytes, FlushInterval = TimeSpan.FromHours(1) });
        Append(store, 0, 10);
        recorder.Flush();
        using (var reader = Sqlite3.Open(recorder.Path))
        using (var pin = reader.CreateCommand())
        {
            pin.CommandText = "BEGIN; SELECT count(*) FROM metrics;"; // a read transaction left open
            pin.ExecuteNonQuery();
            for (int i = 0; i < 8; i++)
            {
                Append(store, 10 + (i * 20_000), 20_000);
                recorder.Flush();
            }

            Assert.True(recorder.BytesOnDisk > maxBytes);
            Assert.Contains("a reader keeps the write-ahead log from being folded in", recorder.LastError, StringComparison.Ordinal);
            pin.CommandText = "COMMIT";
            pin.ExecuteNonQuery();
        }

        Append(store, 200_000, 10);
        recorder.Flush();
        Assert.Null(recorder.LastError);
        Assert.True(recorder.BytesOnDisk <= maxBytes, $"{recorder.BytesOnDisk} bytes");
    }

    private static void Append(MetricStore store, int from, int count)
    {
        for (int i = from; i < from + count; i++)
        {
            store.Append(MetricCatalog.ProcessRss, 1_700_000_000_000 + (i * 1000L), i);
        }
    }
}
