using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using MemLens.Actions;
using MemLens.Diagnostics.Snapshots;
using MemLens.Formatting;
using MemLens.Procfs;
using MemLens.Sampling;
using MemLens.Snapshots;
using MemLens.Tool.Attaching;
using MemLens.Tool.Cli;
using MemLens.Tool.Snapshots;

namespace MemLens.Tool.Commands;

/// <summary><c>memlens snapshot &lt;pid&gt;</c>: a type histogram of a live .NET process's heap, saved to a file; <c>--from</c> re-reads a saved one.</summary>
internal static class SnapshotCommand
{
    public static Command Create()
    {
        var pid = new Argument<int?>("pid") { Description = "Process id of the .NET process to snapshot.", Arity = ArgumentArity.ZeroOrOne };
        var output = new Option<string?>("--output", "-o")
        {
            Description = "Save the snapshot to this file. Default: <program>-<pid>-<UTC time>" + SnapshotFile.Extension + " in the current directory.",
        };
        var pprof = new Option<string?>("--pprof")
        {
            Description = "Also write the histogram as a gzip-compressed pprof profile to this file (for 'go tool pprof -top FILE' and other pprof viewers).",
        };
        var top = new Option<int>("--top", "-t") { Description = "Show the N types that hold the most bytes. Default: 20.", DefaultValueFactory = _ => 20 };
        top.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() < 1)
            {
                r.AddError("--top must be at least 1.");
            }
        });
        var maxObjects = new Option<long>("--max-objects")
        {
            Description = "Stop after this many objects and keep the partial histogram (marked truncated). Default: 50000000.",
            DefaultValueFactory = _ => 50_000_000,
        };
        maxObjects.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<long>() is < 1 or > HeapSnapshotOptions.MaxObjectsLimit)
            {
                r.AddError($"--max-objects must be between 1 and {HeapSnapshotOptions.MaxObjectsLimit}.");
            }
        });
        var timeout = new Option<TimeSpan?>("--timeout")
        {
            Description = "Give up after this long (keeping what was walked), e.g. 30s, 5m. Default: 5m.",
            CustomParser = ParseDuration,
        };
        var bufferSize = new Option<int?>("--buffer-size-mib")
        {
            Description = "Size of the event buffer inside the target, in MiB (1-4096): the runtime fills it while it walks the heap, on demand, and drops " +
                          "events when it is full (the snapshot is then marked incomplete, exit code 7). Default: " + HeapSnapshotOptions.DefaultBufferSizeMiB + ".",
        };
        bufferSize.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int?>() is < 1 or > HeapSnapshotOptions.MaxBufferSizeMiB)
            {
                r.AddError($"--buffer-size-mib must be between 1 and {HeapSnapshotOptions.MaxBufferSizeMiB}.");
            }
        });
        var json = new Option<bool>("--json")
        {
            Description = "Print a JSON summary (file, totals, top types with count, bytes and share; with retention data also each type's " +
                          "retained_bytes and full held_by path, and the unrooted/omitted counters) instead of the table.",
        };
        var sort = new Option<string?>("--sort")
        {
            Description = "Order the types by retained (the bytes their instances keep alive), bytes (their own size) or count. " +
                          "Default: retained when the snapshot has retention data, else bytes.",
        };
        sort.AcceptOnlyFromAmong("retained", "bytes", "count");
        var noGraph = new Option<bool>("--no-graph")
        {
            Description = "Count objects per type only, without their references and roots: no retained bytes or holders, but about half the " +
                          "time and a fraction of the memory (the tool keeps about 200 bytes per object while it analyses the graph).",
        };
        var noStaticNames = new Option<bool>("--no-static-names")
        {
            Description = "Do not attach to the process (ptrace, through ClrMD) after the walk to read its static fields' names: objects an app's " +
                          "static field holds then show as held by the runtime's pinned handle → System.Object[] instead of 'static Type.Field'.",
        };
        var from = new Option<string?>("--from", "-f")
        {
            Description = "Read a saved snapshot instead of taking one: shows its top types, and with --pprof converts it.",
        };
        var command = new Command("snapshot",
            "Take a heap snapshot of a running .NET process: the number of objects and bytes per type on its GC heap. " +
            "The runtime induces one blocking full GC and walks the heap during it (the process pauses for about as long " +
            "as a full GC plus the walk). Saves the snapshot as JSON for 'memlens diff', optionally as pprof, and shows the " +
            "types that hold the most. Example: memlens snapshot 4242 -o before.json; later memlens snapshot 4242 -o after.json; " +
            "memlens diff before.json after.json. Convert a saved snapshot: memlens snapshot --from before.json --pprof before.pb.gz. " +
            "A walk that lost events (the target's event buffer filled) is saved marked incomplete, said on stderr, and exits with code 7. " +
            "When the snapshot has retention data (who holds what), the table shows each type's retained bytes and main holder (the path from " +
            "a root such as a static field), ordered by retained bytes; 'memlens paths FILE TYPE' lists every path to one type.")
        {
            pid, output, pprof, top, sort, maxObjects, timeout, json, from, bufferSize, noGraph, noStaticNames,
        };
        command.Validators.Add(r =>
        {
            bool hasPid = r.GetValue(pid) is not null;
            bool hasFrom = r.GetValue(from) is not null;
            if (hasPid == hasFrom)
            {
                r.AddError("Give either a PID to snapshot or --from FILE to read a saved snapshot.");
            }
            else if (hasFrom && r.GetValue(output) is not null)
            {
                r.AddError("--output saves a new snapshot; with --from use --pprof to convert.");
            }
            else if (hasFrom && (r.GetValue(noGraph) || r.GetValue(noStaticNames)))
            {
                r.AddError("--no-graph and --no-static-names apply to taking a snapshot, not to reading one with --from.");
            }
        });

        command.SetAction(async (parse, ct) =>
        {
            int topN = parse.GetValue(top);
            string? sortKey = parse.GetValue(sort);
            if (parse.GetValue(from) is { } fromFile)
            {
                return Convert(fromFile, parse.GetValue(pprof), topN, parse.GetValue(json), sortKey);
            }

            if (!OperatingSystem.IsLinux())
            {
                await Console.Error.WriteLineAsync("memlens: snapshots read /proc and work on Linux only.").ConfigureAwait(false);
                return ExitCodes.UnsupportedOs;
            }

            var options = new HeapSnapshotOptions
            {
                MaxObjects = parse.GetValue(maxObjects),
                Timeout = parse.GetValue(timeout) ?? TimeSpan.FromMinutes(5),
                BufferSizeMiB = parse.GetValue(bufferSize) ?? HeapSnapshotOptions.DefaultBufferSizeMiB,
                CaptureGraph = !parse.GetValue(noGraph),
                NameStaticFields = !parse.GetValue(noStaticNames),
            };
            return await TakeAsync(parse.GetValue(pid)!.Value, options, parse.GetValue(output), parse.GetValue(pprof), topN, parse.GetValue(json), sortKey, ct).ConfigureAwait(false);
        });
        return command;
    }

    private static async Task<int> TakeAsync(int pid, HeapSnapshotOptions options, string? output, string? pprof, int top, bool json, string? sortKey, CancellationToken ct)
    {
        var info = ProcessTable.Read(pid, new ProcessTableOptions { ReadPss = false, DetectRuntime = false });
        var view = new SnapshotProgressView(pid);
        HeapSnapshotResult result;
        try
        {
            result = await new HeapSnapshotter(options).TakeAsync(pid, view, ct).ConfigureAwait(false);
        }
        catch (TargetActionException ex)
        {
            view.Finish();
            await Console.Error.WriteLineAsync($"memlens: {ex.Message}").ConfigureAwait(false);
            return TargetFailures.ExitCode(ex);
        }
        finally
        {
            view.Finish();
        }

        var snapshot = result.Snapshot;
        string file = output ?? DefaultFileName(info, pid, snapshot.TakenAtMs);
        if (!TryWrite(() => SnapshotFile.Write(file, snapshot), file) || (pprof is not null && !TryWrite(() => PprofExport.Write(pprof, snapshot), pprof)))
        {
            return ExitCodes.Error;
        }

        Show(snapshot, top, json, sortKey, file, pprof);
        await Console.Error.WriteLineAsync($"memlens: saved the snapshot to {file}{(pprof is null ? "" : $" and the pprof profile to {pprof}")}").ConfigureAwait(false);
        if (result.Stop == SnapshotStop.Completed)
        {
            return ExitCodes.Ok;
        }

        // A partial snapshot is kept (it may be all there is), and said in one line; one whose walk lost events says
        // so first, since its counts are too low while it looks whole.
        string what = snapshot.EventsLost > 0 || result.Stop == SnapshotStop.Idle ? "incomplete snapshot" : "partial snapshot";
        await Console.Error.WriteLineAsync(TerminalText.Sanitize($"memlens: {what}: {snapshot.Note}")).ConfigureAwait(false);
        return result.Stop switch
        {
            SnapshotStop.TargetExited => ExitCodes.TargetExited,
            SnapshotStop.TimedOut => ExitCodes.Error,
            SnapshotStop.EventsLost or SnapshotStop.Idle => ExitCodes.IncompleteSnapshot,
            _ when snapshot.EventsLost > 0 => ExitCodes.IncompleteSnapshot,
            _ => ExitCodes.Ok, // the object limit the user set, or Ctrl+C
        };
    }

    private static int Convert(string fromFile, string? pprof, int top, bool json, string? sortKey)
    {
        HeapSnapshot snapshot;
        try
        {
            snapshot = SnapshotFile.Read(fromFile);
        }
        catch (SnapshotFileException ex)
        {
            Console.Error.WriteLine($"memlens: {TerminalText.Sanitize(ex.Message)}");
            return ExitCodes.Error;
        }

        if (pprof is not null && !TryWrite(() => PprofExport.Write(pprof, snapshot), pprof))
        {
            return ExitCodes.Error;
        }

        Show(snapshot, top, json, sortKey, fromFile, pprof);
        if (pprof is not null)
        {
            Console.Error.WriteLine($"memlens: wrote the pprof profile to {pprof}");
        }

        if (snapshot.Incomplete)
        {
            Console.Error.WriteLine(TerminalText.Sanitize($"memlens: warning: {fromFile} is an incomplete snapshot ({snapshot.Note ?? "cut short"})"));
            return snapshot.EventsLost > 0 ? ExitCodes.IncompleteSnapshot : ExitCodes.Ok;
        }

        return ExitCodes.Ok;
    }

    /// <summary>The table or JSON for <paramref name="snapshot"/>, in the order asked (or the default for what it holds).</summary>
    private static void Show(HeapSnapshot snapshot, int top, bool json, string? sortKey, string? file, string? pprof)
    {
        var sort = sortKey switch
        {
            "retained" => SnapshotSort.Retained,
            "bytes" => SnapshotSort.Bytes,
            "count" => SnapshotSort.Count,
            _ => snapshot.Retention is null ? SnapshotSort.Bytes : SnapshotSort.Retained,
        };
        if (sort == SnapshotSort.Retained && snapshot.Retention is null)
        {
            Console.Error.WriteLine($"memlens: {NoRetention}; sorted by bytes");
        }

        if (json)
        {
            SnapshotTables.WriteSnapshotJson(Console.OpenStandardOutput(), snapshot, top, file, pprof, sort);
        }
        else
        {
            SnapshotTables.WriteTop(SnapshotTables.Stdout(), snapshot, top, sort);
        }
    }

    /// <summary>What a snapshot without retention data is, for the lines that say so.</summary>
    internal const string NoRetention = "the snapshot has no retention data (taken by an older MemLens or with the object graph off)";

    private static bool TryWrite(Action write, string path)
    {
        try
        {
            write();
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"memlens: cannot write {path}: {ex.Message.ReplaceLineEndings(" ")}");
            return false;
        }
    }

    internal static string DefaultFileName(ProcessInfo? info, int pid, long takenAtMs)
    {
        string program = info is null ? "process" : ProcessLookup.ProgramName(info);
        var safe = new string(program.Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' ? c : '_').ToArray());
        string time = DateTimeOffset.FromUnixTimeMilliseconds(takenAtMs).ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        return $"{safe}-{pid.ToString(CultureInfo.InvariantCulture)}-{time}{SnapshotFile.Extension}";
    }

    private static TimeSpan? ParseDuration(ArgumentResult result)
    {
        string text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
        if (!Durations.TryParse(text, out var value) || value <= TimeSpan.Zero)
        {
            result.AddError($"'{text}' is not a duration; use e.g. 30s, 5m.");
            return null;
        }

        return value;
    }
}
