using System.Globalization;
using System.Text.Json;
using MemLens.Formatting;
using MemLens.Snapshots;
using Spectre.Console;

namespace MemLens.Tool.Snapshots;

/// <summary>How <c>memlens snapshot</c> orders its table.</summary>
internal enum SnapshotSort
{
    /// <summary>Retained bytes, largest first (the default when the snapshot has retention data).</summary>
    Retained,

    /// <summary>Own bytes, largest first (the default without retention data).</summary>
    Bytes,

    /// <summary>Object count, largest first.</summary>
    Count,
}

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

    /// <summary>The rows <see cref="WriteTop"/> shows, in the order asked (retained needs retention data; without it, bytes).</summary>
    public static IEnumerable<TypeStat> Ordered(HeapSnapshot snapshot, SnapshotSort sort)
    {
        var retained = snapshot.Retention?.RetainedBytesByType;
        return sort switch
        {
            SnapshotSort.Retained when retained is not null => snapshot.Types
                .OrderByDescending(t => retained.GetValueOrDefault(t.Name)).ThenByDescending(t => t.Bytes).ThenBy(t => t.Name, StringComparer.Ordinal),
            SnapshotSort.Count => snapshot.Types.OrderByDescending(t => t.Count).ThenByDescending(t => t.Bytes).ThenBy(t => t.Name, StringComparer.Ordinal),
            _ => snapshot.Types, // stored by bytes, largest first
        };
    }

    public static void WriteTop(IAnsiConsole console, HeapSnapshot snapshot, int top, SnapshotSort sort = SnapshotSort.Bytes)
    {
        var retention = snapshot.Retention;
        var table = new Table().Border(TableBorder.Simple)
            .AddColumn(new TableColumn("Type"))
            .AddColumn(new TableColumn("Count").RightAligned().NoWrap())
            .AddColumn(new TableColumn("Bytes").RightAligned().NoWrap());
        if (retention is null)
        {
            table.AddColumn(new TableColumn("Share").RightAligned().NoWrap());
        }
        else
        {
            table.AddColumn(new TableColumn("Retained").RightAligned().NoWrap()).AddColumn(new TableColumn("Held by"));
        }

        foreach (var t in Ordered(snapshot, sort).Take(top))
        {
            if (retention is null)
            {
                table.AddRow(new Text(TerminalText.Sanitize(t.Name)), new Text(Count(t.Count)), new Text(ByteSize.Format(t.Bytes)), new Text(Share(t.Bytes, snapshot.TotalBytes)));
            }
            else
            {
                string holder = retention.MainHolder(t.Name) is { } h ? HolderText.Short(h) : "—";
                table.AddRow(new Text(TerminalText.Sanitize(t.Name)), new Text(Count(t.Count)), new Text(ByteSize.Format(t.Bytes)),
                    new Text(ByteSize.Format(retention.RetainedBytesByType.GetValueOrDefault(t.Name))), new Text(TerminalText.Sanitize(holder)));
            }
        }

        console.Write(table);
        console.WriteLine(
            $"{Count(snapshot.TotalObjects)} objects, {ByteSize.Format(snapshot.TotalBytes)} in {Count(snapshot.Types.Count)} types; " +
            $"process {snapshot.ProcessId} ({TerminalText.Sanitize(snapshot.ProcessName)}){(snapshot.RuntimeVersion is { } v ? ", .NET " + TerminalText.Sanitize(v) : "")}, " +
            $"GC #{snapshot.GcIndex}, {Timestamps(snapshot.TakenAtMs)}, took {Durations.Format(snapshot.Duration)}" +
            (snapshot.Types.Count > top ? $"; top {top} shown" : "") +
            (retention is null && sort == SnapshotSort.Bytes ? "" : $"; sorted by {SortWords(retention is null && sort == SnapshotSort.Retained ? SnapshotSort.Bytes : sort)}"));
        if (retention is not null && NotOnKeptPaths(retention) is { } line)
        {
            console.WriteLine(line);
        }

        if (snapshot.EventsLost > 0)
        {
            console.WriteLine($"INCOMPLETE: {Count(snapshot.EventsLost)} events of the heap walk were lost; objects are missing and the counts are too low.");
        }

        if (snapshot.Incomplete)
        {
            console.WriteLine("Partial: " + TerminalText.Sanitize(snapshot.Note ?? "cut short"));
        }
    }

    /// <summary>One line on what the retention tree does not show (unrooted objects, paths left out), or null when nothing.</summary>
    public static string? NotOnKeptPaths(HeapRetention retention)
    {
        ArgumentNullException.ThrowIfNull(retention);
        var parts = new List<string>();
        if (retention.UnrootedObjects > 0)
        {
            parts.Add($"{Count(retention.UnrootedObjects)} objects ({ByteSize.Format(retention.UnrootedBytes)}) reached from no root the walk reported");
        }

        if (retention.OmittedNodes > 0 || retention.OmittedObjects > 0)
        {
            parts.Add($"{Count(retention.OmittedNodes)} small paths left out of the retention tree ({Count(retention.OmittedObjects)} objects, {ByteSize.Format(retention.OmittedBytes)}; still counted above)");
        }

        return parts.Count == 0 ? null : "Retention: " + string.Join("; ", parts) + ".";
    }

    private static string SortWords(SnapshotSort sort) => sort switch
    {
        SnapshotSort.Retained => "retained bytes",
        SnapshotSort.Count => "count",
        _ => "bytes",
    };

    public static void WriteDiff(IAnsiConsole console, FileDiff diff, bool byRetained = false)
    {
        bool retention = diff.After.Retention is not null;
        var table = new Table().Border(TableBorder.Simple)
            .AddColumn(new TableColumn("Type"))
            .AddColumn(new TableColumn("Count before→after").RightAligned().NoWrap())
            .AddColumn(new TableColumn("Δ count").RightAligned().NoWrap())
            .AddColumn(new TableColumn("Bytes before→after").RightAligned().NoWrap())
            .AddColumn(new TableColumn("Δ bytes").RightAligned().NoWrap());
        if (retention)
        {
            table.AddColumn(new TableColumn("Δ retained").RightAligned().NoWrap()).AddColumn(new TableColumn("Held by (Δ bytes there)"));
        }

        foreach (var r in diff.Top)
        {
            var cells = new List<Text>
            {
                new(TerminalText.Sanitize(r.Name)), new($"{Count(r.CountBefore)}→{Count(r.CountAfter)}"), new(Signed(r.CountDelta)),
                new($"{ByteSize.Format(r.BytesBefore)}→{ByteSize.Format(r.BytesAfter)}"), new(ByteSize.FormatDelta(r.BytesDelta)),
            };
            if (retention)
            {
                cells.Add(new Text(r.RetainedDelta is { } d ? ByteSize.FormatDelta(d) : "—"));
                cells.Add(new Text(r.HeldBy is { } h ? TerminalText.Sanitize($"{HolderText.Short(h.Path)} ({ByteSize.FormatDelta(h.BytesDelta)})") : "—"));
            }

            table.AddRow(cells);
        }

        table.AddEmptyRow();
        var total = new List<Text>
        {
            new("Total"), new($"{Count(diff.Before.TotalObjects)}→{Count(diff.After.TotalObjects)}"), new(Signed(diff.CountDelta)),
            new($"{ByteSize.Format(diff.Before.TotalBytes)}→{ByteSize.Format(diff.After.TotalBytes)}"), new(ByteSize.FormatDelta(diff.BytesDelta)),
        };
        if (retention)
        {
            total.Add(new Text(""));
            total.Add(new Text(""));
        }

        table.AddRow(total);
        console.Write(table);
        var span = TimeSpan.FromMilliseconds(diff.After.TakenAtMs - diff.Before.TakenAtMs);
        console.WriteLine($"{Count(diff.RowCount)} types, sorted by {(byRetained && retention ? "retained bytes added" : "bytes added")}; " +
                          $"{(span >= TimeSpan.Zero ? Durations.Format(span) + " apart" : "the second snapshot is older than the first")}" +
                          (diff.RowCount > diff.Top.Count ? $"; top {diff.Top.Count} shown" : ""));
        if (diff.Before.Incomplete || diff.After.Incomplete)
        {
            console.WriteLine("INCOMPLETE: " + (diff.Before.Incomplete ? diff.After.Incomplete ? "both snapshots are" : "the first snapshot is" : "the second snapshot is") +
                              " partial; the changes above may not have happened.");
        }
    }

    public static void WriteSnapshotJson(Stream output, HeapSnapshot snapshot, int top, string? file, string? pprof, SnapshotSort sort = SnapshotSort.Bytes)
    {
        var retention = snapshot.Retention;
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
            w.WriteString("sort", (retention is null && sort == SnapshotSort.Retained ? SnapshotSort.Bytes : sort).ToString().ToLowerInvariant());
            if (retention is not null)
            {
                w.WriteStartObject("retention");
                w.WriteNumber("nodes", retention.Nodes.Count);
                w.WriteNumber("omitted_nodes", retention.OmittedNodes);
                w.WriteNumber("omitted_objects", retention.OmittedObjects);
                w.WriteNumber("omitted_bytes", retention.OmittedBytes);
                w.WriteNumber("unrooted_objects", retention.UnrootedObjects);
                w.WriteNumber("unrooted_bytes", retention.UnrootedBytes);
                w.WriteEndObject();
            }
            else
            {
                w.WriteNull("retention");
            }

            w.WriteStartArray("top");
            foreach (var t in Ordered(snapshot, sort).Take(top))
            {
                w.WriteStartObject();
                w.WriteString("name", t.Name);
                w.WriteNumber("count", t.Count);
                w.WriteNumber("bytes", t.Bytes);
                w.WriteNumber("share", snapshot.TotalBytes > 0 ? Math.Round((double)t.Bytes / snapshot.TotalBytes, 6) : 0);
                if (retention is not null)
                {
                    w.WriteNumber("retained_bytes", retention.RetainedBytesByType.GetValueOrDefault(t.Name));
                    w.WriteString("held_by", retention.MainHolder(t.Name)); // null when it has no node
                }

                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        output.WriteByte((byte)'\n');
        output.Flush();
    }

    public static void WriteDiffJson(Stream output, FileDiff diff, bool byRetained = false)
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
            w.WriteString("sort", byRetained && diff.After.Retention is not null ? "retained" : "bytes");
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
                if (diff.After.Retention is not null)
                {
                    w.WriteNumberOrNull("retained_before", r.RetainedBefore);
                    w.WriteNumberOrNull("retained_after", r.RetainedAfter);
                    w.WriteNumberOrNull("retained_delta", r.RetainedDelta);
                    if (r.HeldBy is { } h)
                    {
                        w.WriteStartObject("held_by");
                        w.WriteString("path", h.Path);
                        w.WriteNumber("count_before", h.CountBefore);
                        w.WriteNumber("count_after", h.CountAfter);
                        w.WriteNumber("bytes_before", h.BytesBefore);
                        w.WriteNumber("bytes_after", h.BytesAfter);
                        w.WriteNumber("bytes_delta", h.BytesDelta);
                        w.WriteEndObject();
                    }
                    else
                    {
                        w.WriteNull("held_by");
                    }
                }

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
        w.WriteBoolean("has_retention", s.Retention is not null);
        w.WriteEndObject();
    }

    internal static string Count(long n) => n.ToString("N0", CultureInfo.InvariantCulture);

    private static string Signed(long n) => n > 0 ? "+" + Count(n) : Count(n);

    private static string Share(long part, long total) =>
        total > 0 ? ((double)part / total).ToString("P1", CultureInfo.InvariantCulture) : "—";

    private static string Timestamps(long unixMs) =>
        DateTimeOffset.FromUnixTimeMilliseconds(unixMs).ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
