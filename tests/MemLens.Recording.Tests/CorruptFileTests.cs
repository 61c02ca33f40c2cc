using FsCheck;
using FsCheck.Fluent;
using MemLens.Events;
using MemLens.Metrics;
using MemLens.Storage;
using Microsoft.Data.Sqlite;
using Xunit;

namespace MemLens.Recording.Tests;

/// <summary>Whatever the file, a reader either reads it or says in one line what is wrong: a RecordingException, never another type.</summary>
public sealed class CorruptFileTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void A_missing_file()
    {
        string path = _dir.File("nothing.memlens");
        Assert.Equal($"no such file: {path}", Fails(path));
    }

    [Fact]
    public void Random_bytes()
    {
        string path = _dir.File("random.memlens");
        var bytes = new byte[8192];
        new Random(1).NextBytes(bytes);
        File.WriteAllBytes(path, bytes);
        Assert.Equal($"{path} is not a SQLite database", Fails(path));
    }

    [Fact]
    public void A_text_file()
    {
        string path = _dir.File("notes.txt");
        File.WriteAllText(path, string.Join('\n', Enumerable.Repeat("RSS keeps rising and never comes back down.", 100)));
        Assert.Equal($"{path} is not a SQLite database", Fails(path));
    }

    [Fact]
    public void An_empty_file()
    {
        string path = _dir.File("empty.memlens");
        File.WriteAllBytes(path, []);
        Assert.Equal($"{path} is not a MemLens recording: the file is empty", Fails(path));
    }

    [Fact]
    public void A_SQLite_file_without_the_MemLens_application_id()
    {
        string path = _dir.File("other.db");
        using (var c = Sqlite3.Open(path, SqliteOpenMode.ReadWriteCreate))
        {
            using var command = c.CreateCommand();
            command.CommandText = "CREATE TABLE samples(x); INSERT INTO samples VALUES (1);";
            command.ExecuteNonQuery();
        }

        Assert.Equal($"{path} is not a MemLens recording", Fails(path));
    }

    [Fact]
    public void A_recording_from_a_newer_format()
    {
        string path = Recording("newer.memlens");
        SetPragma(path, "user_version = 2");
        Assert.Equal($"{path} was recorded by a newer MemLens (format 2); this one reads format 1", Fails(path));
    }

    [Fact]
    public void A_recording_without_its_tables()
    {
        string path = Recording("tables.memlens");
        SetPragma(path, "writable_schema = 0; DROP TABLE events");
        Assert.Equal($"{path} is damaged: it has no events table", Fails(path));
    }

    [Fact]
    public void A_truncated_recording()
    {
        string path = Recording("truncated.memlens");
        long length = new FileInfo(path).Length;
        using (var stream = new FileStream(path, FileMode.Open))
        {
            stream.SetLength(length / 2);
        }

        string message = Fails(path);
        Assert.StartsWith($"{path} is damaged: ", message, StringComparison.Ordinal);
        Assert.Contains("truncated", message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_recording_cut_inside_its_header()
    {
        string path = Recording("header.memlens");
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..50]);
        Assert.Equal($"{path} is not a SQLite database", Fails(path));
    }

    [Fact]
    public void A_recording_with_a_page_overwritten()
    {
        string path = Recording("page.memlens");
        var bytes = File.ReadAllBytes(path);
        var garbage = new byte[4096];
        new Random(2).NextBytes(garbage);
        // Every page after the first few: the samples' b-tree pages are among them.
        for (int page = 4; (page + 1) * 4096 <= bytes.Length; page += 3)
        {
            garbage.CopyTo(bytes, page * 4096);
        }

        File.WriteAllBytes(path, bytes);
        string message = Fails(path);
        Assert.StartsWith($"{path} is damaged: ", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Arbitrary_bytes_and_damaged_recordings_only_ever_raise_RecordingException()
    {
        byte[] valid = File.ReadAllBytes(Recording("base.memlens"));
        var random = Gen.ArrayOf(Gen.Choose(0, 255).Select(b => (byte)b));
        var withMagic = random.Select(b => "SQLite format 3\0"u8.ToArray().Concat(b).ToArray());
        var flipped = Gen.Choose(1, 64).SelectMany(n => Gen.ArrayOf(Gen.Choose(0, valid.Length - 1), n)).SelectMany(offsets =>
            Gen.Choose(0, 255).Select(value =>
            {
                var copy = (byte[])valid.Clone();
                foreach (int offset in offsets)
                {
                    copy[offset] ^= (byte)(value | 1);
                }

                return copy;
            }));
        var cut = Gen.Choose(0, valid.Length).Select(n => valid[..n]);
        var headerFields = Gen.Choose(16, 99).SelectMany(offset => Gen.Choose(0, 255).Select(value =>
        {
            var copy = (byte[])valid.Clone();
            copy[offset] = (byte)value;
            return copy;
        }));
        int n = 0;
        Prop.ForAll(Gen.OneOf(random, withMagic, flipped, flipped, cut, headerFields).ToArbitrary(), bytes =>
        {
            string path = _dir.File($"fuzz-{n++}.memlens");
            File.WriteAllBytes(path, bytes);
            try
            {
                ReadEverything(path);
            }
            catch (RecordingException ex)
            {
                Assert.DoesNotContain('\n', ex.Message);
            }
            finally
            {
                foreach (string suffix in (string[])["", "-wal", "-shm"])
                {
                    File.Delete(path + suffix);
                }
            }

            return true;
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(400));
    }

    /// <summary>Opens and reads every part of a recording the way the tool does: series, events, load, both exports.</summary>
    internal static void ReadEverything(string path)
    {
        using var reader = RecordingReader.Open(path);
        _ = reader.Facts.Count;
        _ = reader.FirstMs;
        _ = reader.LastMs;
        foreach (var series in reader.Series)
        {
            foreach (var point in reader.ReadSeries(series.Metric, long.MinValue, long.MaxValue))
            {
                _ = point.Mean;
            }
        }

        foreach (var memEvent in reader.ReadEvents(long.MinValue, long.MaxValue))
        {
            _ = TestEvents.Json(memEvent);
        }

        reader.LoadInto(new MetricStore());
        RecordingExport.WriteCsv(reader, TextWriter.Null, long.MinValue, long.MaxValue, null);
        RecordingExport.WriteJson(reader, Stream.Null, long.MinValue, long.MaxValue, null);
    }

    /// <summary>The one-line message of the RecordingException that opening and reading <paramref name="path"/> raises.</summary>
    private static string Fails(string path)
    {
        var ex = Assert.Throws<RecordingException>(() => ReadEverything(path));
        Assert.DoesNotContain('\n', ex.Message);
        return ex.Message;
    }

    /// <summary>A small, complete, cleanly closed recording: a few series, events of several kinds, facts.</summary>
    private string Recording(string name)
    {
        string path = _dir.File(name);
        var store = new MetricStore();
        for (int i = 0; i < 2000; i++)
        {
            store.Append(MetricCatalog.ProcessRss, 1_700_000_000_000 + (i * 1000L), (300 << 20) + (i * 4096.0));
            store.Append(MetricCatalog.GcHeapSize, 1_700_000_000_000 + (i * 1000L), (100 << 20) - (i * 512.0));
            if (i % 100 == 0)
            {
                store.AddEvent(TestEvents.Gen0(1_700_000_000_000 + (i * 1000L), i));
                store.AddEvent(new NoteEvent(1_700_000_000_000 + (i * 1000L), "note", $"note {i}"));
            }
        }

        using var recorder = Recorder.Start(store, path, new Dictionary<string, string> { [RecordingFacts.Runtime] = "dotnet" });
        recorder.Flush();
        return path;
    }

    private static void SetPragma(string path, string pragma)
    {
        using var c = Sqlite3.Open(path, SqliteOpenMode.ReadWrite);
        using var command = c.CreateCommand();
        command.CommandText = "PRAGMA " + pragma;
        command.ExecuteNonQuery();
    }
}
