using System.CommandLine;
using MemLens.Procfs;
using MemLens.Sampling;
using MemLens.Formatting;
using MemLens.Tool.Attaching;
using MemLens.Tool.Cli;
using MemLens.Tool.Exporting;
using MemLens.Tool.Recording;
using MemLens.Tool.Rendering;
using MemLens.Tool.Watching;
using Spectre.Console;

namespace MemLens.Tool.Commands;

/// <summary><c>memlens watch &lt;pid&gt;</c>: one process's memory live, in the web dashboard or (<c>--tui</c>) the terminal.</summary>
internal static class WatchCommand
{
    public static Command Create()
    {
        var pid = new Argument<int?>("pid") { Description = "Process id to watch.", Arity = ArgumentArity.ZeroOrOne };
        var name = new Option<string?>("--name", "-n") { Description = "Watch the process with this name instead of a PID (must match one process)." };
        var common = new CommonOptions();
        var dashboard = new DashboardOptions();
        var counters = RuntimeCountersOption.Create();
        var goPprof = new GoPprofOptions();
        var record = new RecordOptions();
        var export = new ExportOptions();
        var command = new Command("watch",
            "Watch one process's memory live: RSS, PSS, USS, swap, LazyFree, cgroup and more, sampled every second. " +
            "Serves a web dashboard on 127.0.0.1 and a free port (printed, opened in a browser when possible); " +
            "--tui shows the live view in the terminal instead, --json-lines prints samples for scripts.")
        {
            pid,
            name,
        };
        common.AddTo(command);
        dashboard.AddTo(command, common.JsonLines);
        command.Options.Add(counters);
        goPprof.AddTo(command);
        record.AddTo(command);
        export.AddTo(command);
        command.Validators.Add(r =>
        {
            if (r.GetValue(pid) is null == (r.GetValue(name) is null))
            {
                r.AddError("Give either a PID or --name.");
            }
        });

        command.SetAction(async (parse, ct) =>
        {
            if (!OperatingSystem.IsLinux())
            {
                await Console.Error.WriteLineAsync("memlens: watching reads /proc and works on Linux only.").ConfigureAwait(false);
                return ExitCodes.UnsupportedOs;
            }

            int target;
            if (parse.GetValue(name) is { } processName)
            {
                var (found, error) = ProcessLookup.ByName(processName);
                if (found is null)
                {
                    await Console.Error.WriteLineAsync($"memlens: {error}").ConfigureAwait(false);
                    return ExitCodes.ProcessNotFound;
                }

                target = found.Value;
            }
            else
            {
                target = parse.GetValue(pid)!.Value;
            }

            var interval = parse.GetValue(common.Interval) ?? TimeSpan.FromSeconds(1);
            var notes = new List<string>();
            var runtimeSources = RuntimeAttach.SourcesFor(target, interval, notes, parse.GetValue(counters), goPprof: parse.GetValue(goPprof.Url) is not null)
                .Concat(goPprof.Sources(parse, interval)).ToList();
            foreach (var note in notes)
            {
                await Console.Error.WriteLineAsync($"memlens: {note}").ConfigureAwait(false);
            }

            var recordTo = record.Read(parse, ProcessLookup.ShortName(target));
            if (recordTo?.Problem() is { } problem)
            {
                await Console.Error.WriteLineAsync($"memlens: {problem}").ConfigureAwait(false);
                return ExitCodes.Error;
            }

            if (dashboard.ServesDashboard(parse, common.JsonLines))
            {
                return await WatchDashboard.RunAsync(target, interval, parse.GetValue(common.Duration), dashboard.Read(parse), ct, runtimeSources, record: recordTo, export: export.Read(parse)).ConfigureAwait(false);
            }

            return await RunAsync(target, ProcessLookup.DisplayName(target), interval,
                parse.GetValue(common.Duration), parse.GetValue(common.JsonLines), runtimeSources, childOutput: null, ct, record: recordTo, export: export.Read(parse)).ConfigureAwait(false);
        });
        return command;
    }

    /// <summary>
    /// Watches a process in the terminal (live view or JSON lines) until the duration ends, Ctrl+C, or the process
    /// exits. Shared by watch and demo.
    /// </summary>
    internal static async Task<int> RunAsync(
        int pid, string displayName, TimeSpan interval, TimeSpan? duration, bool jsonLines,
        IReadOnlyList<IMetricSource> extraSources, Func<IReadOnlyList<string>>? childOutput, CancellationToken ct, Task? outputDrained = null,
        RecordSettings? record = null, IReadOnlyDictionary<string, string>? facts = null, ExportSettings? export = null)
    {
        var notes = new List<string>();
        IReadOnlyList<IMetricSource> sources;
        try
        {
            sources = [.. ProcessSources.Open(pid, interval, notes), .. extraSources];
        }
        catch (ProcessNotFoundException ex)
        {
            await Console.Error.WriteLineAsync($"memlens: {ex.Message}").ConfigureAwait(false);
            return ExitCodes.ProcessNotFound;
        }
        catch (ProcessAccessDeniedException ex)
        {
            await Console.Error.WriteLineAsync($"memlens: {ex.Message}").ConfigureAwait(false);
            return ExitCodes.AccessDenied;
        }

        foreach (var note in notes)
        {
            await Console.Error.WriteLineAsync($"memlens: {note}").ConfigureAwait(false);
        }

        var started = MonotonicClock.NowUnixMs;
        var session = new WatchSession(new WatchTarget(pid, displayName, started), sources, outputDrained);
        if (!ToolRecording.TryStartFor(pid, session.Store, record, out var recording, facts))
        {
            foreach (var source in sources)
            {
                source.Dispose();
            }

            return ExitCodes.Error;
        }

        using var recorded = recording;
        var (exporting, exporters) = await ToolExporters.TryStartAsync(session.Store, ToolExporters.Identify(pid), export).ConfigureAwait(false);
        if (!exporting)
        {
            foreach (var source in sources)
            {
                source.Dispose();
            }

            return ExitCodes.Error;
        }

        await using var exported = exporters;
        IWatchRenderer renderer = jsonLines
            ? new JsonLinesRenderer(Console.OpenStandardOutput())
            : new LiveRenderer(AnsiConsole.Console, childOutput);
        var reason = await session.RunAsync(renderer, duration, ct).ConfigureAwait(false);

        return await WatchEnding.ReportAsync(pid, started, reason).ConfigureAwait(false);
    }
}
