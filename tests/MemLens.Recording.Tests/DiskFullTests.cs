using MemLens.Events;
using MemLens.Metrics;
using MemLens.Storage;
using Xunit;

namespace MemLens.Recording.Tests;

/// <summary>
/// A recording on a file system that fills up (a real 2 MiB tmpfs, filled by another file): the recorder says so once
/// (a store event for the timeline, <see cref="Recorder.State"/>, one <see cref="Recorder.Notice"/>), keeps trying for
/// as long as it takes, and writes what the store kept once there is room; what was written before stays sound.
/// </summary>
public sealed class DiskFullTests
{
    private const long Start = 1_700_000_000_000;
    private static readonly RecorderOptions s_manual = new() { FlushInterval = TimeSpan.FromHours(1) }; // flushes driven by the test

    [RootFact]
    public void A_full_file_system_is_said_once_held_through_many_attempts_and_written_when_space_returns()
    {
        using var fs = SmallFileSystem.Mount(2L << 20);
        var store = new MetricStore();
        var notices = new List<string>();
        string path = fs.File("full.memlens");
        using (var recorder = Recorder.Start(store, path, new Dictionary<string, string>(), s_manual))
        {
            recorder.Notice += notices.Add;
            Append(store, 0, 600);
            recorder.Flush();
            Assert.Equal(600, recorder.ValuesWritten);
            Assert.Equal(RecorderState.Recording, recorder.State);

            Assert.True(fs.Fill() > 0);
            // Twice the attempts after which any other failure stops the recording: a full disk is waited out.
            for (int i = 0; i < 2 * Recorder.MaxConsecutiveFailures; i++)
            {
                Append(store, 600 + (i * 1000), 1000);
                recorder.Flush();
                Assert.Equal(RecorderState.DiskFull, recorder.State);
            }

            Assert.False(recorder.HasFailed);
            Assert.Contains("full", recorder.LastError, StringComparison.Ordinal);
            Assert.Equal(600, recorder.ValuesWritten);
            string said = Assert.Single(notices);
            Assert.StartsWith($"recording to {path} paused: the disk is full", said, StringComparison.Ordinal);
            var fullEvent = Assert.Single(Events(store), e => e.Type == Recorder.DiskFullEventType);
            Assert.Equal(said, fullEvent.Describe());

            fs.Free();
            recorder.Flush();
            Assert.Equal(RecorderState.Recording, recorder.State);
            Assert.Null(recorder.LastError);
            Assert.Equal(2, notices.Count);
            Assert.StartsWith($"recording to {path} resumed: wrote 20,000 values held in memory", notices[1], StringComparison.Ordinal);
            Assert.Single(Events(store), e => e.Type == Recorder.ResumedEventType);
        }

        // Read back with SQLite directly: every value, in one piece, and both events on the timeline.
        Assert.Equal("ok", Sqlite3.Scalar(path, "PRAGMA integrity_check"));
        var values = Sqlite3.Rows(path, "SELECT t, value FROM samples UNION ALL SELECT t, value FROM recent ORDER BY t");
        Assert.Equal(Enumerable.Range(0, 20_600).Select(i => (double)i), values.Select(r => (double)r[1]!));
        Assert.Equal(Enumerable.Range(0, 20_600).Select(i => Start + (i * 1000L)), values.Select(r => (long)r[0]!));
        Assert.Equal([Recorder.DiskFullEventType, Recorder.ResumedEventType],
            Sqlite3.Rows(path, "SELECT type FROM events WHERE type LIKE 'recording.%' ORDER BY t, id").Select(r => (string)r[0]!));
    }

    [RootFact]
    public void Closed_while_the_disk_is_still_full_what_was_written_stays_sound_and_the_loss_is_said()
    {
        using var fs = SmallFileSystem.Mount(2L << 20);
        var store = new MetricStore();
        string path = fs.File("closed-full.memlens");
        var recorder = Recorder.Start(store, path, new Dictionary<string, string>(), s_manual);
        Append(store, 0, 600);
        recorder.Flush();
        fs.Fill();
        Append(store, 600, 5000);
        recorder.Flush();
        Assert.Equal(RecorderState.DiskFull, recorder.State);

        recorder.Dispose();
        Assert.Equal(RecorderState.Closed, recorder.State);
        Assert.StartsWith("the disk stayed full: what was recorded since ", recorder.LastError, StringComparison.Ordinal);
        Assert.EndsWith($"(held in memory) could not be written to {path}", recorder.LastError, StringComparison.Ordinal);

        fs.Free();
        Assert.Equal("ok", Sqlite3.Scalar(path, "PRAGMA integrity_check"));
        var values = Sqlite3.Rows(path, "SELECT t, value FROM samples UNION ALL SELECT t, value FROM recent ORDER BY t");
        Assert.Equal(Enumerable.Range(0, 600).Select(i => (double)i), values.Select(r => (double)r[1]!));
    }

    private static IReadOnlyList<MemEvent> Events(MetricStore store) => store.GetEventsAddedSince(0, out _, out _);

    private static void Append(MetricStore store, int from, int count)
    {
        for (int i = from; i < from + count; i++)
        {
            store.Append(MetricCatalog.ProcessRss, Start + (i * 1000L), i);
        }
    }
}
