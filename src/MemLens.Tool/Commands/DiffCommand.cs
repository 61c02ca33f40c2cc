using System.CommandLine;
using MemLens.Snapshots;
using MemLens.Tool.Cli;
using MemLens.Tool.Snapshots;

namespace MemLens.Tool.Commands;

/// <summary><c>memlens diff &lt;a&gt; &lt;b&gt;</c>: what grew between two saved heap snapshots.</summary>
internal static class DiffCommand
{
    public static Command Create()
    {
        var before = new Argument<string>("before") { Description = "The earlier snapshot file (from 'memlens snapshot')." };
        var after = new Argument<string>("after") { Description = "The later snapshot file." };
        var top = new Option<int>("--top", "-t") { Description = "Show the N types that grew the most. Default: 20.", DefaultValueFactory = _ => 20 };
        top.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() < 1)
            {
                r.AddError("--top must be at least 1.");
            }
        });
        var json = new Option<bool>("--json")
        {
            Description = "Print JSON instead of the table: before/after summaries, totals, and the top types with count_before/after/delta and bytes_before/after/delta.",
        };
        var command = new Command("diff",
            "Compare two heap snapshots of the same process: objects and bytes per type before and after, sorted by bytes added, " +
            "so the types that accumulate come first. Example: memlens diff before.json after.json --top 10.")
        {
            before, after, top, json,
        };

        command.SetAction(parse =>
        {
            HeapSnapshot a;
            HeapSnapshot b;
            try
            {
                a = SnapshotFile.Read(parse.GetValue(before)!);
                b = SnapshotFile.Read(parse.GetValue(after)!);
            }
            catch (SnapshotFileException ex)
            {
                Console.Error.WriteLine($"memlens: {ex.Message}");
                return ExitCodes.Error;
            }

            if (a.ProcessId != b.ProcessId || a.ProcessName != b.ProcessName)
            {
                Console.Error.WriteLine($"memlens: warning: the snapshots are of different processes ({a.ProcessId} {a.ProcessName} and {b.ProcessId} {b.ProcessName}); growth compares unrelated heaps");
            }

            foreach (var (s, path) in new[] { (a, parse.GetValue(before)!), (b, parse.GetValue(after)!) })
            {
                if (s.Truncated)
                {
                    Console.Error.WriteLine($"memlens: warning: {path} is a partial snapshot ({s.Note})");
                }
            }

            var diff = SnapshotDiff.Compute(a, b);
            int topN = parse.GetValue(top);
            if (parse.GetValue(json))
            {
                SnapshotTables.WriteDiffJson(Console.OpenStandardOutput(), diff, topN);
            }
            else
            {
                SnapshotTables.WriteDiff(SnapshotTables.Stdout(), diff, topN);
            }

            return ExitCodes.Ok;
        });
        return command;
    }
}
