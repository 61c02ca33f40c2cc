using System.CommandLine;
using MemLens.Formatting;
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
            Description = "Print JSON instead of the table: before/after summaries, totals, and the top types with count_before/after/delta and bytes_before/after/delta; " +
                          "with retention data also retained_before/after/delta and held_by (full path, objects and bytes before and after).",
        };
        var sort = new Option<string>("--sort")
        {
            Description = "Order by bytes added (the types' own bytes) or retained (the bytes their instances keep alive, added). Default: bytes.",
            DefaultValueFactory = _ => "bytes",
        };
        sort.AcceptOnlyFromAmong("bytes", "retained");
        var command = new Command("diff",
            "Compare two heap snapshots of the same process: objects and bytes per type before and after, sorted by bytes added, " +
            "so the types that accumulate come first. Reads files of any size in bounded memory. When either snapshot is incomplete (its walk was cut short or lost events) " +
            "it says so on stderr and exits with code 7. When the later snapshot has retention data, each type also shows its retained growth " +
            "and 'held by': the path from a root (a static field, a handle) whose share of the type grew most, with the bytes it added. " +
            "Example: memlens diff before.json after.json --top 10 --sort retained.")
        {
            before, after, top, sort, json,
        };

        command.SetAction(parse =>
        {
            string beforePath = parse.GetValue(before)!;
            string afterPath = parse.GetValue(after)!;
            bool byRetained = parse.GetValue(sort) == "retained";
            FileDiff diff;
            try
            {
                diff = FileDiff.Compute(beforePath, afterPath, parse.GetValue(top), byRetained);
            }
            catch (SnapshotFileException ex)
            {
                Console.Error.WriteLine($"memlens: {TerminalText.Sanitize(ex.Message)}");
                return ExitCodes.Error;
            }

            var (a, b) = (diff.Before, diff.After);
            if (a.ProcessId != b.ProcessId || a.ProcessName != b.ProcessName)
            {
                Console.Error.WriteLine(TerminalText.Sanitize(
                    $"memlens: warning: the snapshots are of different processes ({a.ProcessId} {a.ProcessName} and {b.ProcessId} {b.ProcessName}); growth compares unrelated heaps"));
            }

            foreach (var (s, path) in new[] { (a, beforePath), (b, afterPath) })
            {
                if (s.Incomplete)
                {
                    // Loud, because the rows below then show changes that may not have happened.
                    Console.Error.WriteLine(TerminalText.Sanitize(
                        $"memlens: warning: {path} is an incomplete snapshot ({s.Note ?? "cut short"}); the differences shown may not have happened"));
                }
            }

            if (byRetained && b.Retention is null)
            {
                Console.Error.WriteLine(TerminalText.Sanitize($"memlens: {afterPath}: {SnapshotCommand.NoRetention}; sorted by bytes added"));
            }

            if (parse.GetValue(json))
            {
                SnapshotTables.WriteDiffJson(Console.OpenStandardOutput(), diff, byRetained);
            }
            else
            {
                SnapshotTables.WriteDiff(SnapshotTables.Stdout(), diff, byRetained);
            }

            return a.Incomplete || b.Incomplete ? ExitCodes.IncompleteSnapshot : ExitCodes.Ok;
        });
        return command;
    }
}
