using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using MemLens.Actions;
using MemLens.Diagnostics;
using MemLens.Formatting;
using MemLens.Procfs;
using MemLens.Tool.Attaching;
using MemLens.Tool.Cli;

namespace MemLens.Tool.Commands;

/// <summary><c>memlens gc &lt;pid&gt;</c>: a full blocking GC in another .NET process, with the figures before and after.</summary>
internal static class GcCommand
{
    public static Command Create()
    {
        var pid = new Argument<int>("pid") { Description = "Process id of a running .NET process." };
        var json = new Option<bool>("--json") { Description = "Print the result as one JSON object: the GC event (bytes, seconds) and RSS/PSS before and after." };
        var timeout = new Option<int>("--timeout") { Description = "Seconds to wait for the GC to be reported. Default: 60.", DefaultValueFactory = _ => 60 };
        var command = new Command("gc",
            "Induce a full, blocking, compacting GC in a running .NET process from outside (over its diagnostic port, no restart) " +
            "and show what it freed: GC heap before and after, RSS and PSS before and after. The process is paused for the " +
            "duration of the GC. Memory the GC frees may stay committed and resident: that is the runtime keeping it, not a leak.")
        {
            pid, json, timeout,
        };
        command.SetAction(async (parse, ct) =>
        {
            int target = parse.GetValue(pid);
            var before = ProcessTable.Read(target, new ProcessTableOptions { ReadPss = true, DetectRuntime = false });
            InducedGc result;
            try
            {
                var actions = new DotNetTargetActions(target) { CollectTimeout = TimeSpan.FromSeconds(Math.Max(1, parse.GetValue(timeout))) };
                result = await actions.CollectAsync(ct).ConfigureAwait(false);
            }
            catch (TargetActionException ex)
            {
                await Console.Error.WriteLineAsync("memlens: " + ex.Message).ConfigureAwait(false);
                return TargetFailures.ExitCode(ex);
            }

            var after = ProcessTable.Read(target, new ProcessTableOptions { ReadPss = true, DetectRuntime = false });
            if (parse.GetValue(json))
            {
                WriteJson(result, before, after);
            }
            else
            {
                Console.WriteLine(Describe(result, before, after));
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    internal static string Describe(InducedGc result, ProcessInfo? before, ProcessInfo? after)
    {
        var gc = result.Gc;
        string line = gc.Describe();
        if (before?.Rss is { } r0 && after?.Rss is { } r1)
        {
            line += $"; RSS {ByteSize.Format(r0)} → {ByteSize.Format(r1)}";
        }

        if (before?.Pss is { } p0 && after?.Pss is { } p1)
        {
            line += $", PSS {ByteSize.Format(p0)} → {ByteSize.Format(p1)}";
        }

        return line + string.Create(CultureInfo.InvariantCulture, $"; took {result.Duration.TotalMilliseconds:0} ms");
    }

    private static void WriteJson(InducedGc result, ProcessInfo? before, ProcessInfo? after)
    {
        using var stdout = Console.OpenStandardOutput();
        using (var w = new Utf8JsonWriter(stdout))
        {
            w.WriteStartObject();
            w.WritePropertyName("gc");
            result.Gc.WriteJson(w);
            w.WriteNumber("duration", result.Duration.TotalSeconds);
            Figures(w, "before", before);
            Figures(w, "after", after);
            w.WriteEndObject();
        }

        stdout.WriteByte((byte)'\n');
    }

    private static void Figures(Utf8JsonWriter w, string name, ProcessInfo? p)
    {
        w.WriteStartObject(name);
        if (p?.Rss is { } rss)
        {
            w.WriteNumber("process.memory.rss", rss);
        }

        if (p?.Pss is { } pss)
        {
            w.WriteNumber("process.memory.pss", pss);
        }

        w.WriteEndObject();
    }
}
