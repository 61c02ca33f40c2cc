using System.Globalization;
using System.Text.Json;
using MemLens.Formatting;
using MemLens.Snapshots;
using Spectre.Console;

namespace MemLens.Tool.Snapshots;

/// <summary>Tables and JSON for snapshot and diff output.</summary>
internal static class SnapshotTables
{
    public static IAnsiConsole Stdout()
    {
        var console = AnsiConsole.Console;
        if (Console.IsOutputRedirected)
        {
            console.Profile.Width = 200; // a pipe has no width; type names are long
        }

        return console;
    }

    public static void WriteTop(IAnsiConsole console, HeapSnapshot snapshot, int top)
    {
        var table = new Table().Border(TableBorder.Simple)
            .AddColumn(new TableColumn("Type"))
            .AddColumn(new TableColumn("Count").RightAligned().NoWrap())
            .AddColumn(new TableColumn("Bytes").RightAligned().NoWrap())
            .AddColumn(new TableColumn("Share").RightAligned().NoWrap());
        foreach (var t in snapshot.Types.Take(top))
        {
            table.AddRow(new Text(TerminalText.Sanitize(t.Name)), new Text(Count(t.Count)), new Text(ByteSize.Format(t.Bytes)), new Text(Share(t.Bytes, snapshot.TotalBytes)));
        }

        console.Write(table);
        console.WriteLine(
            $"{Count(snapshot.TotalObjects)} objects, {ByteSize.Format(snapshot.TotalBytes)} in {Count(snapshot.Types.Count)} types; " +
            $"process {snapshot.ProcessId} ({TerminalText.Sanitize(snapshot.ProcessName)}){(snapshot.RuntimeVersion is { } v ? ", .NET " + TerminalText.Sanitize(v) : "")}, " +
            $"GC #{snapshot.GcIndex}, {Timestamps(snapshot.TakenAtMs)}, took {Durations.Format(snapshot.Duration)}" +
            (snapshot.Types.Count > top ? $"; top {top} shown" : ""));
        if (snapshot.EventsLost > 0)
        {
            console.WriteLine($"INCOMPLETE: {Count(snapshot.EventsLost)} events of the heap walk were lost; objects are missing and the counts are too low.");
        }

        if (snapshot.Incomplete)
        {
            console.WriteLine("Partial: " + TerminalText.Sanitize(snapshot.Note ?? "cut short"));
        }
    }

    public static void WriteDiff(IAnsiConsole console, FileDiff diff)
    {
        var table = new Table().Border(TableBorder.Simple)
            .AddColumn(new TableColumn("Type"))
            .AddColumn(new TableColumn("Count before→after").RightAligned().NoWrap())
            .AddColumn(new TableColumn("Δ count").RightAligned().NoWrap())
            .AddColumn(new TableColumn("Bytes before→after").RightAligned().NoWrap())
            .AddColumn(new TableColumn("Δ bytes").RightAligned().NoWrap());
        foreach (var r in diff.Top)
        {
            table.AddRow(new Text(TerminalText.Sanitize(r.Name)), new Text($"{Count(r.CountBefore)}→{Count(r.CountAfter)}"), new Text(Signed(r.CountDelta)),
                new Text($"{ByteSize.Format(r.BytesBefore)}→{ByteSize.Format(r.BytesAfter)}"), new Text(ByteSize.FormatDelta(r.BytesDelta)));
        }

        table.AddEmptyRow();
        table.AddRow(new Text("Total"), new Text($"{Count(diff.Before.TotalObjects)}→{Count(diff.After.TotalObjects)}"), new Text(Signed(diff.CountDelta)),
            new Text($"{ByteSize.Format(diff.Before.TotalBytes)}→{ByteSize.Format(diff.After.TotalBytes)}"), new Text(ByteSize.FormatDelta(diff.BytesDelta)));
        console.Write(table);
        var span = TimeSpan.FromMilliseconds(diff.After.TakenAtMs - diff.Before.TakenAtMs);
        console.WriteLine($"{Count(diff.RowCount)} types, sorted by bytes added; {(span >= TimeSpan.Zero ? Durations.Format(span) + " apart" : "the second snapshot is older than the first")}" +
                          (diff.RowCount > diff.Top.Count ? $"; top {diff.Top.Count} shown" : ""));
        if (diff.Before.Incomplete || diff.After.Incomplete)
        {
            console.WriteLine("INCOMPLETE: " + (diff.Before.Incomplete ? diff.After.Incomplete ? "both snapshots are" : "the first snapshot is" : "the second snapshot is") +
                              " partial; the changes above may not have happened.");
        }
    }

    public static void WriteSnapshotJson(Stream output, HeapSnapshot snapshot, int top, string? file, string? pprof)
    {
        using (var w = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            if (file is not null)
            {
                w.WriteString("file", file);
            }

            if (pprof is not null)
            {
                w.WriteString("pprof", pprof);
            }

            w.WriteNumber("pid", snapshot.ProcessId);
            w.WriteString("process_name", snapshot.ProcessName);
            w.WriteNumber("taken_at_ms", snapshot.TakenAtMs);
            w.WriteNumber("duration_ms", Math.Round(snapshot.Duration.TotalMilliseconds, 3));
            w.WriteNumber("gc_index", snapshot.GcIndex);
            if (snapshot.RuntimeVersion is { } v)
            {
                w.WriteString("runtime_version", v);
            }

            w.WriteBoolean("truncated", snapshot.Truncated);
            w.WriteNumber("events_lost", snapshot.EventsLost);
            w.WriteBoolean("incomplete", snapshot.Incomplete);
            if (snapshot.Note is { } note)
            {
                w.WriteString("note", note);
            }

            w.WriteNumber("total_objects", snapshot.TotalObjects);
            w.WriteNumber("total_bytes", snapshot.TotalBytes);
            w.WriteNumber("type_count", snapshot.Types.Count);
            w.WriteStartArray("top");
            foreach (var t in snapshot.Types.Take(top))
            {
                w.WriteStartObject();
                w.WriteString("name", t.Name);
                w.WriteNumber("count", t.Count);
                w.WriteNumber("bytes", t.Bytes);
                w.WriteNumber("share", snapshot.TotalBytes > 0 ? Math.Round((double)t.Bytes / snapshot.TotalBytes, 6) : 0);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        output.WriteByte((byte)'\n');
        output.Flush();
    }

    public static void WriteDiffJson(Stream output, FileDiff diff)
    {
        using (var w = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            WriteSide(w, "before", diff.Before);
            WriteSide(w, "after", diff.After);
            w.WriteBoolean("incomplete", diff.Before.Incomplete || diff.After.Incomplete);
            w.WriteNumber("count_delta", diff.CountDelta);
            w.WriteNumber("bytes_delta", diff.BytesDelta);
            w.WriteNumber("type_count", diff.RowCount);
            w.WriteStartArray("types");
            foreach (var r in diff.Top)
            {
                w.WriteStartObject();
                w.WriteString("name", r.Name);
                w.WriteNumber("count_before", r.CountBefore);
                w.WriteNumber("count_after", r.CountAfter);
                w.WriteNumber("count_delta", r.CountDelta);
                w.WriteNumber("bytes_before", r.BytesBefore);
                w.WriteNumber("bytes_after", r.BytesAfter);
                w.WriteNumber("bytes_delta", r.BytesDelta);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        output.WriteByte((byte)'\n');
        output.Flush();
    }

    private static void WriteSide(Utf8JsonWriter w, string name, SnapshotHeader s)
    {
        w.WriteStartObject(name);
        w.WriteNumber("pid", s.ProcessId);
        w.WriteString("process_name", s.ProcessName);
        w.WriteNumber("taken_at_ms", s.TakenAtMs);
        w.WriteNumber("gc_index", s.GcIndex);
        w.WriteBoolean("truncated", s.Truncated);
        w.WriteNumber("events_lost", s.EventsLost);
        w.WriteBoolean("incomplete", s.Incomplete);
        if (s.Note is { } note)
        {
            w.WriteString("note", note);
        }

        w.WriteNumber("total_objects", s.TotalObjects);
        w.WriteNumber("total_bytes", s.TotalBytes);
        w.WriteEndObject();
    }

    private static string Count(long n) => n.ToString("N0", CultureInfo.InvariantCulture);

    private static string Signed(long n) => n > 0 ? "+" + Count(n) : Count(n);

    private static string Share(long part, long total) =>
        total > 0 ? ((double)part / total).ToString("P1", CultureInfo.InvariantCulture) : "—";

    private static string Timestamps(long unixMs) =>
        DateTimeOffset.FromUnixTimeMilliseconds(unixMs).ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
