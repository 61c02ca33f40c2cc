using System.CommandLine;
using System.Text.Json;
using MemLens.Formatting;
using MemLens.Snapshots;
using MemLens.Tool.Cli;
using MemLens.Tool.Snapshots;
using Spectre.Console;

namespace MemLens.Tool.Commands;

/// <summary><c>memlens paths &lt;snapshot&gt; &lt;type&gt;</c>: the retention paths that hold a type, from the root down, largest first.</summary>
internal static class PathsCommand
{
    /// <summary>Most candidates named when a short type name matches several types.</summary>
    private const int MaxCandidates = 10;

    public static Command Create()
    {
        var file = new Argument<string>("snapshot") { Description = "A snapshot file with retention data (from 'memlens snapshot')." };
        var type = new Argument<string>("type")
        {
            Description = "The type: its full name (App.Session), or the part after a '.' when only one type ends so (Session).",
        };
        var top = new Option<int>("--top", "-t") { Description = "Show the N paths that hold the most of the type. Default: 10.", DefaultValueFactory = _ => 10 };
        top.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() < 1)
            {
                r.AddError("--top must be at least 1.");
            }
        });
        var json = new Option<bool>("--json")
        {
            Description = "Print JSON instead of the table: the type, its totals, and each path as a list of labels (root first) with objects, bytes and retained_bytes.",
        };
        var command = new Command("paths",
            "List the retention paths to one type in a saved snapshot: each path from a root (a static field, a GC handle, a thread's stack, " +
            "the finalizer queue) through the types that dominate the objects down to the type, with how many of its objects, their bytes and " +
            "the bytes they keep alive, largest first. Needs a snapshot with retention data. Example: memlens paths after.json Session. " +
            "A short name that matches several types exits with code 2 and lists them.")
        {
            file, type, top, json,
        };

        command.SetAction(parse =>
        {
            string path = parse.GetValue(file)!;
            HeapSnapshot snapshot;
            try
            {
                snapshot = SnapshotFile.Read(path);
            }
            catch (SnapshotFileException ex)
            {
                Console.Error.WriteLine($"memlens: {TerminalText.Sanitize(ex.Message)}");
                return ExitCodes.Error;
            }

            if (snapshot.Retention is not { } retention)
            {
                Console.Error.WriteLine(TerminalText.Sanitize($"memlens: {path}: {SnapshotCommand.NoRetention}; take a new snapshot to see paths"));
                return ExitCodes.Error;
            }

            string query = parse.GetValue(type)!;
            var candidates = Match(snapshot, query);
            if (candidates.Count == 0)
            {
                Console.Error.WriteLine(TerminalText.Sanitize($"memlens: {path}: no type named '{query}' (give the full name or the part after a '.')"));
                return ExitCodes.Error;
            }

            if (candidates.Count > 1)
            {
                string shown = string.Join(", ", candidates.Take(MaxCandidates));
                string more = candidates.Count > MaxCandidates ? $", and {candidates.Count - MaxCandidates} more" : "";
                Console.Error.WriteLine(TerminalText.Sanitize($"memlens: '{query}' matches {candidates.Count} types: {shown}{more}; give the full name"));
                return ExitCodes.Usage;
            }

            string name = candidates[0];
            var nodes = retention.NodesOfType(name);
            int topN = parse.GetValue(top);
            var stat = snapshot.Types.Where(t => t.Name == name).Aggregate(new TypeStat(name, 0, 0), (sum, t) => sum with { Count = sum.Count + t.Count, Bytes = sum.Bytes + t.Bytes });
            if (parse.GetValue(json))
            {
                WriteJson(Console.OpenStandardOutput(), path, retention, stat, nodes, topN);
            }
            else
            {
                WriteTable(SnapshotTables.Stdout(), retention, stat, nodes, topN);
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>
    /// The type names <paramref name="query"/> stands for: itself when a type has exactly that name, else every type whose
    /// name ends with '.' + query (case-sensitive), sorted. Names come from the histogram and the retention tree.
    /// </summary>
    internal static List<string> Match(HeapSnapshot snapshot, string query)
    {
        var names = new HashSet<string>(snapshot.Types.Select(t => t.Name), StringComparer.Ordinal);
        foreach (var node in snapshot.Retention?.Nodes ?? [])
        {
            if (node.Kind == RetentionNodeKind.Type)
            {
                names.Add(node.Label);
            }
        }

        if (names.Contains(query))
        {
            return [query];
        }

        string suffix = "." + query;
        var found = names.Where(n => n.EndsWith(suffix, StringComparison.Ordinal)).ToList();
        found.Sort(StringComparer.Ordinal);
        return found;
    }

    private static void WriteTable(IAnsiConsole console, HeapRetention retention, TypeStat stat, IReadOnlyList<int> nodes, int top)
    {
        var table = new Table().Border(TableBorder.Simple)
            .AddColumn(new TableColumn("Path (root first)"))
            .AddColumn(new TableColumn("Objects").RightAligned().NoWrap())
            .AddColumn(new TableColumn("Bytes").RightAligned().NoWrap())
            .AddColumn(new TableColumn("Retained").RightAligned().NoWrap());
        foreach (int i in nodes.Take(top))
        {
            var n = retention.Nodes[i];
            table.AddRow(new Text(TerminalText.Sanitize(retention.PathText(i))), new Text(SnapshotTables.Count(n.Count)),
                new Text(ByteSize.Format(n.Bytes)), new Text(ByteSize.Format(n.RetainedBytes)));
        }

        console.Write(table);
        long onPaths = nodes.Sum(i => retention.Nodes[i].Count);
        console.WriteLine(TerminalText.Sanitize(
            $"{SnapshotTables.Count(nodes.Count)} path{(nodes.Count == 1 ? "" : "s")} to {stat.Name}" + (nodes.Count > top ? $", top {top} shown" : "") +
            $"; {SnapshotTables.Count(stat.Count)} objects, {ByteSize.Format(stat.Bytes)} in the snapshot, " +
            $"retaining {ByteSize.Format(retention.RetainedBytesByType.GetValueOrDefault(stat.Name))}" +
            (stat.Count > onPaths ? $"; {SnapshotTables.Count(stat.Count - onPaths)} of them on paths too small to keep" : "")));
    }

    private static void WriteJson(Stream output, string file, HeapRetention retention, TypeStat stat, IReadOnlyList<int> nodes, int top)
    {
        using (var w = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteString("file", file);
            w.WriteString("type", stat.Name);
            w.WriteNumber("count", stat.Count);
            w.WriteNumber("bytes", stat.Bytes);
            w.WriteNumber("retained_bytes", retention.RetainedBytesByType.GetValueOrDefault(stat.Name));
            w.WriteNumber("path_count", nodes.Count);
            w.WriteStartArray("paths");
            foreach (int i in nodes.Take(top))
            {
                var n = retention.Nodes[i];
                w.WriteStartObject();
                w.WriteStartArray("path");
                foreach (string label in retention.PathLabels(i))
                {
                    w.WriteStringValue(label);
                }

                w.WriteEndArray();
                w.WriteNumber("objects", n.Count);
                w.WriteNumber("bytes", n.Bytes);
                w.WriteNumber("retained_bytes", n.RetainedBytes);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        output.WriteByte((byte)'\n');
        output.Flush();
    }
}
