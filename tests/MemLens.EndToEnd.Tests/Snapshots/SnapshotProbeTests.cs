using System.Globalization;
using System.Text;
using System.Text.Json;
using MemLens.Snapshots;
using Xunit;
using Xunit.Abstractions;

namespace MemLens.EndToEnd.Tests.Snapshots;

/// <summary>
/// Probes of `memlens snapshot` and `memlens diff` as an unlucky user meets them: a walk that loses events, a huge
/// snapshot file, a directory given as a file, type names that carry terminal escapes.
/// </summary>
public sealed class SnapshotProbeTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("memlens-snap-probe-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task A_walk_that_loses_events_says_so_on_stderr_in_the_json_and_the_file_exits_7_and_diff_warns()
    {
        // Two million objects make ~100 MB of walk events; a 1 MiB buffer in the target cannot hold what the reader has
        // not taken yet, so the runtime drops events, as a too-small default did on a 10 M-object heap.
        await using var target = await HeapTargetProcess.StartAsync(2_000_000);
        string pid = target.Pid.ToString(CultureInfo.InvariantCulture);
        string whole = Path.Combine(_dir, "whole.json");
        string lossy = Path.Combine(_dir, "lossy.json");
        var first = await ToolProcess.RunAsync(TimeSpan.FromSeconds(120), "snapshot", pid, "-o", whole);
        Assert.True(first.ExitCode == 0, first.Stderr);

        var (code, stdout, stderr) = await ToolProcess.RunAsync(TimeSpan.FromSeconds(120), "snapshot", pid, "-o", lossy, "--buffer-size-mib", "1", "--json");

        Assert.True(code == 7, $"exit code {code}: {stderr}");
        var line = Assert.Single(stderr.Split('\n'), l => l.Contains("incomplete", StringComparison.Ordinal));
        Assert.StartsWith("memlens: incomplete snapshot: incomplete: the runtime dropped ", line, StringComparison.Ordinal);
        Assert.Contains("objects are missing", line, StringComparison.Ordinal);
        using (var summary = JsonDocument.Parse(stdout))
        {
            Assert.True(summary.RootElement.GetProperty("events_lost").GetInt64() > 0, stdout);
            Assert.True(summary.RootElement.GetProperty("incomplete").GetBoolean());
            Assert.True(summary.RootElement.GetProperty("truncated").GetBoolean());
            Assert.True(summary.RootElement.GetProperty("total_objects").GetInt64() < target.Objects, "a lossy walk that still counted every node proves nothing");
        }

        var saved = SnapshotFile.Read(lossy);
        Assert.True(saved.EventsLost > 0);
        Assert.True(saved.Incomplete);

        var shown = await ToolProcess.RunAsync(TimeSpan.FromSeconds(60), "snapshot", "--from", lossy);
        Assert.True(shown.ExitCode == 7, $"exit code {shown.ExitCode}: {shown.Stderr}");
        Assert.Contains($"INCOMPLETE: {saved.EventsLost:N0} events of the heap walk were lost; objects are missing and the counts are too low.", shown.Stdout, StringComparison.Ordinal);
        Assert.StartsWith($"memlens: warning: {lossy} is an incomplete snapshot (incomplete: the runtime dropped ", shown.Stderr, StringComparison.Ordinal);

        var diff = await ToolProcess.RunAsync(TimeSpan.FromSeconds(60), "diff", whole, lossy, "--json");
        Assert.True(diff.ExitCode == 7, $"exit code {diff.ExitCode}: {diff.Stderr}");
        var warning = Assert.Single(diff.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith($"memlens: warning: {lossy} is an incomplete snapshot (incomplete: the runtime dropped ", warning, StringComparison.Ordinal);
        Assert.EndsWith("the differences shown may not have happened", warning, StringComparison.Ordinal);
        using (var doc = JsonDocument.Parse(diff.Stdout))
        {
            Assert.True(doc.RootElement.GetProperty("incomplete").GetBoolean());
            Assert.True(doc.RootElement.GetProperty("after").GetProperty("events_lost").GetInt64() > 0);
            Assert.False(doc.RootElement.GetProperty("before").GetProperty("incomplete").GetBoolean());
        }

        var table = await ToolProcess.RunAsync(TimeSpan.FromSeconds(60), "diff", whole, lossy);
        Assert.Equal(7, table.ExitCode);
        Assert.Contains("INCOMPLETE: the second snapshot is partial; the changes above may not have happened.", table.Stdout, StringComparison.Ordinal);
    }

    /// <summary>
    /// Two snapshot files of ~240 MB each, under the 256 MiB cap (1.2 M types with long generic names, half of them in both): `memlens diff`
    /// streams them, so its peak RSS stays under 300 MiB (it was 1.6 GB on a 98 MB file when it parsed whole files).
    /// </summary>
    [Fact]
    public async Task Diff_of_two_240_MB_snapshot_files_stays_under_300_MiB_of_memory()
    {
        string a = Path.Combine(_dir, "a.json");
        string b = Path.Combine(_dir, "b.json");
        const int Types = 1_200_000;
        WriteBigSnapshot(a, 0, Types, takenAtMs: 1_700_000_000_000);
        WriteBigSnapshot(b, Types / 2, Types, takenAtMs: 1_700_000_060_000);
        output.WriteLine($"files: {new FileInfo(a).Length / 1e6:0} MB and {new FileInfo(b).Length / 1e6:0} MB");

        await using var tool = RunningTool.Start("diff", a, b, "--json", "--top", "5");
        long peakKiB = 0;
        while (!tool.Process.HasExited)
        {
            peakKiB = Math.Max(peakKiB, PeakRssKiB(tool.Pid) ?? 0);
            await Task.Delay(10);
        }

        int code = await tool.WaitForExitAsync(TimeSpan.FromSeconds(120));
        Assert.True(code == 0, $"exit code {code}: {tool.Stderr}");
        output.WriteLine($"peak RSS of memlens diff: {peakKiB / 1024.0:0} MiB");
        Assert.True(peakKiB > 0, "no reading of the diff's /proc status was taken");
        Assert.True(peakKiB < 300 * 1024, $"memlens diff peaked at {peakKiB / 1024.0:0} MiB");

        // And it is the right diff: the types only in b grew the most (the largest ones first), 1.8 M types in all.
        using var doc = JsonDocument.Parse(tool.Stdout);
        Assert.Equal(Types / 2 * 3, doc.RootElement.GetProperty("type_count").GetInt32());
        var top = doc.RootElement.GetProperty("types")[0];
        Assert.Equal(TypeName(Types / 2 * 3 - 1), top.GetProperty("name").GetString());
        Assert.Equal(0, top.GetProperty("count_before").GetInt64());
        Assert.Equal(EntryBytes(Types / 2 * 3 - 1), top.GetProperty("bytes_after").GetInt64());
    }

    /// <summary>
    /// The streaming diff (hashes of names, top rows kept) against the in-memory <see cref="SnapshotDiff"/> on random
    /// snapshots with shared, one-sided and repeated names: the same rows in the same order.
    /// </summary>
    [Fact]
    public async Task Diff_of_files_gives_the_same_rows_as_the_in_memory_diff()
    {
        var random = new Random(14);
        HeapSnapshot Make(long at) =>
            new(7, "app", at, Enumerable.Range(0, 400).Select(_ => new TypeStat($"T{random.Next(300)}", random.Next(0, 50), random.Next(0, 5000))).ToList());
        var before = Make(1_700_000_000_000);
        var after = Make(1_700_000_005_000);
        string a = Path.Combine(_dir, "a.json");
        string b = Path.Combine(_dir, "b.json");
        SnapshotFile.Write(a, before);
        SnapshotFile.Write(b, after);
        var expected = SnapshotDiff.Compute(before, after);

        var (code, stdout, stderr) = await ToolProcess.RunAsync(TimeSpan.FromSeconds(30), "diff", a, b, "--json", "--top", "1000");

        Assert.True(code == 0, stderr);
        using var doc = JsonDocument.Parse(stdout);
        Assert.Equal(expected.Rows.Count, doc.RootElement.GetProperty("type_count").GetInt32());
        var rows = doc.RootElement.GetProperty("types").EnumerateArray()
            .Select(r => new TypeGrowth(r.GetProperty("name").GetString()!, r.GetProperty("count_before").GetInt64(), r.GetProperty("count_after").GetInt64(),
                r.GetProperty("bytes_before").GetInt64(), r.GetProperty("bytes_after").GetInt64()))
            .ToList();
        Assert.Equal(expected.Rows, rows);
        Assert.Equal(expected.BytesDelta, doc.RootElement.GetProperty("bytes_delta").GetInt64());

        // With --top, the first rows of the same order.
        var top = await ToolProcess.RunAsync(TimeSpan.FromSeconds(30), "diff", a, b, "--json", "--top", "7");
        using var topDoc = JsonDocument.Parse(top.Stdout);
        Assert.Equal(expected.Rows.Take(7).Select(r => r.Name), topDoc.RootElement.GetProperty("types").EnumerateArray().Select(r => r.GetProperty("name").GetString()));
    }

    [Fact]
    public async Task Diff_of_a_directory_says_it_is_a_directory_in_one_line()
    {
        var (code, stdout, stderr) = await ToolProcess.RunAsync(TimeSpan.FromSeconds(30), "diff", _dir, Path.Combine(_dir, "a.json"));
        Assert.Equal(1, code);
        Assert.Equal("", stdout);
        Assert.Equal($"memlens: {_dir}: is a directory, not a snapshot file", stderr.Trim());
    }

    [Fact]
    public async Task Type_names_with_terminal_escapes_are_shown_escaped_by_diff_and_snapshot_from()
    {
        const string Evil = "\u001b[31mEvil\u001b[0m\u0007";
        const string Markup = "[red]Markup[/]";
        string a = Path.Combine(_dir, "a.json");
        string b = Path.Combine(_dir, "b.json");
        SnapshotFile.Write(a, new HeapSnapshot(42, "app\u001b]0;owned\u0007", 1_700_000_000_000, [new(Evil, 1, 100), new(Markup, 1, 10)]));
        SnapshotFile.Write(b, new HeapSnapshot(42, "app\u001b]0;owned\u0007", 1_700_000_010_000, [new(Evil, 5, 500), new(Markup, 2, 20)]));

        foreach (var args in new[] { new[] { "diff", a, b }, ["snapshot", "--from", b] })
        {
            var (code, stdout, stderr) = await ToolProcess.RunAsync(TimeSpan.FromSeconds(30), args);
            Assert.True(code == 0, $"{string.Join(' ', args)}: exit code {code}: {stderr}");
            string all = stdout + stderr;
            Assert.False(all.Any(c => char.IsControl(c) && c is not '\n' and not '\r'), $"{string.Join(' ', args)} printed a control character: {all}");
            Assert.Contains(@"\x1b[31mEvil\x1b[0m\x07", stdout, StringComparison.Ordinal);
            Assert.Contains(Markup, stdout, StringComparison.Ordinal); // Spectre markup shown as text, not applied
        }
    }

    private static string TypeName(int i) =>
        string.Create(CultureInfo.InvariantCulture, $"Probe.Generated.Namespace.Type{i}`2[[System.Collections.Generic.Dictionary`2[[System.String],[Probe.Value{i % 97}]]]]");

    private static long EntryBytes(int i) => 24L * (i + 1);

    /// <summary>A snapshot file with <paramref name="count"/> types, type i of (start + i) with count i+1 and 24 (i+1) bytes.</summary>
    private static void WriteBigSnapshot(string path, int start, int count, long takenAtMs)
    {
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
        using var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        long objects = 0;
        long bytes = 0;
        w.WriteStartObject();
        w.WriteString("format", SnapshotFile.FormatName);
        w.WriteNumber("version", 1);
        w.WriteNumber("process_id", 4242);
        w.WriteString("process_name", "big");
        w.WriteNumber("taken_at_ms", takenAtMs);
        w.WriteBoolean("truncated", false);
        w.WriteStartArray("types");
        for (int i = start; i < start + count; i++)
        {
            w.WriteStartObject();
            w.WriteString("name", TypeName(i));
            w.WriteNumber("count", i + 1);
            w.WriteNumber("bytes", EntryBytes(i));
            w.WriteEndObject();
            objects += i + 1;
            bytes += EntryBytes(i);
        }

        w.WriteEndArray();
        w.WriteNumber("total_objects", objects); // after the list: a streaming reader must not need them first
        w.WriteNumber("total_bytes", bytes);
        w.WriteEndObject();
    }

    private static long? PeakRssKiB(int pid)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                {
                    return long.Parse(line["VmHWM:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
                }
            }
        }
        catch (IOException)
        {
        }

        return null; // exited between the check and the read
    }
}
