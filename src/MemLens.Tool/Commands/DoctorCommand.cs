using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using MemLens.Doctor;
using MemLens.Formatting;
using MemLens.Metrics;
using MemLens.Procfs;
using MemLens.Sampling;
using MemLens.Storage;
using MemLens.Tool.Attaching;
using MemLens.Tool.Cli;
using MemLens.Tool.Dashboard;
using MemLens.Tool.Doctor;
using MemLens.Tool.Recording;
using MemLens.Tool.Watching;

namespace MemLens.Tool.Commands;

/// <summary>
/// <c>memlens doctor &lt;pid|rec.db&gt;</c>: observes a process for a while (or reads a recording) and says what is
/// happening to its memory, with the figures that show it and what to do next.
/// </summary>
internal static class DoctorCommand
{
    /// <summary>How long a live process is observed by default: long enough for the rules' trends (docs/doctor.md).</summary>
    public static readonly TimeSpan DefaultDuration = TimeSpan.FromMinutes(3);

    public static Command Create()
    {
        var target = new Argument<string>("target") { Description = "A PID to observe now, or a recording (.db) to read." };
        var common = new CommonOptions();
        var json = new Option<bool>("--json")
        {
            Description = "Print the findings as one JSON object ({from, to, healthy, findings: [{id, title, summary, confidence, evidence, " +
                          "from, to, next_steps, docs}]}) instead of text.",
        };
        var goPprof = new GoPprofOptions();
        var snapshots = new Option<bool>("--snapshots")
        {
            Description = "For a live .NET process: take a heap snapshot when observing starts and, if the doctor finds a managed leak, another at " +
                          "the end, and name what grew and which static field, handle or stack holds it in the finding. Each snapshot pauses " +
                          "the process while its heap is walked (about a second per million objects). The files are saved (see --snapshot-dir).",
        };
        var snapshotDir = new Option<string>("--snapshot-dir")
        {
            Description = "Where --snapshots saves its snapshot files. Default: the current directory.",
            DefaultValueFactory = _ => ".",
        };
        common.Duration.Description = $"How long to observe a live process before judging, e.g. 5m, 1h. Default: {Durations.Format(DefaultDuration)}. Ctrl+C judges what was seen so far.";
        var command = new Command("doctor",
            "Say what is happening to a process's memory: a managed leak, native growth, memory the runtime keeps, pages freed lazily " +
            "(MADV_FREE), glibc arenas, fragmentation, container pressure, or healthy — each with its evidence (figures and time range), " +
            "a confidence, and the next step. A PID is observed for --duration first (progress on stderr); a recording is read at once. " +
            "The rules are explained in docs/doctor.md.")
        {
            target,
        };
        command.Options.Add(common.Duration);
        command.Options.Add(common.Interval);
        command.Options.Add(json);
        command.Options.Add(snapshots);
        command.Options.Add(snapshotDir);
        goPprof.AddTo(command);

        command.SetAction(async (parse, ct) =>
        {
            string what = parse.GetValue(target)!;
            DoctorReport? report;
            if (int.TryParse(what, NumberStyles.None, CultureInfo.InvariantCulture, out int pid))
            {
                if (!OperatingSystem.IsLinux())
                {
                    await Console.Error.WriteLineAsync("memlens: observing a process reads /proc and works on Linux only.").ConfigureAwait(false);
                    return ExitCodes.UnsupportedOs;
                }

                var interval = parse.GetValue(common.Interval) ?? TimeSpan.FromSeconds(1);
                string directory = parse.GetValue(snapshotDir)!;
                if (parse.GetValue(snapshots) && !Directory.Exists(directory))
                {
                    await Console.Error.WriteLineAsync(TerminalText.Sanitize($"memlens: --snapshot-dir {directory} is not a directory.")).ConfigureAwait(false);
                    return ExitCodes.Usage;
                }

                var heap = parse.GetValue(snapshots) ? new DoctorSnapshots(pid, directory) : null;
                var (code, observed) = await ObserveAsync(pid, interval, parse.GetValue(common.Duration) ?? DefaultDuration, goPprof.Sources(parse, interval), parse.GetValue(goPprof.Url) is not null, heap, ct).ConfigureAwait(false);
                if (observed is null)
                {
                    return code;
                }

                report = observed;
            }
            else
            {
                if (parse.GetResult(common.Duration) is { Implicit: false } || parse.GetResult(common.Interval) is { Implicit: false })
                {
                    await Console.Error.WriteLineAsync("memlens: --duration and --interval apply to observing a PID, not to a recording.").ConfigureAwait(false);
                    return ExitCodes.Usage;
                }

                if (parse.GetValue(snapshots) || parse.GetResult(snapshotDir) is { Implicit: false })
                {
                    await Console.Error.WriteLineAsync("memlens: --snapshots and --snapshot-dir apply to observing a live .NET process, not to a recording.").ConfigureAwait(false);
                    return ExitCodes.Usage;
                }

                var loaded = await Task.Run(() => RecordingLoader.Load(what, ct), ct).ConfigureAwait(false);
                if (loaded is null)
                {
                    return ExitCodes.Error;
                }

                report = MemoryDoctor.Examine(loaded.Store, loaded.Facts, loaded.FirstMs, loaded.LastMs);
            }

            Print(report, parse.GetValue(json));
            return ExitCodes.Ok;
        });
        return command;
    }

    private static void Print(DoctorReport report, bool json)
    {
        if (json)
        {
            using var stdout = Console.OpenStandardOutput();
            using (var writer = new Utf8JsonWriter(stdout, new JsonWriterOptions { Indented = true }))
            {
                report.WriteJson(writer);
            }

            stdout.WriteByte((byte)'\n');
            return;
        }

        // Evidence can quote names from the process or a recording: each line with its control characters escaped.
        Console.Out.Write(string.Join('\n', DoctorText.Format(report).Split('\n').Select(TerminalText.Sanitize)));
    }

    private static async Task<(int Code, DoctorReport? Report)> ObserveAsync(int pid, TimeSpan interval, TimeSpan duration,
        IReadOnlyList<IMetricSource> goSources, bool goPprof, DoctorSnapshots? heap, CancellationToken ct)
    {
        var notes = new List<string>();
        List<IMetricSource> sources;
        try
        {
            sources = [.. ProcessSources.Open(pid, interval, notes)];
        }
        catch (ProcessNotFoundException ex)
        {
            await Console.Error.WriteLineAsync($"memlens: {ex.Message}").ConfigureAwait(false);
            return (ExitCodes.ProcessNotFound, null);
        }
        catch (ProcessAccessDeniedException ex)
        {
            await Console.Error.WriteLineAsync($"memlens: {ex.Message}").ConfigureAwait(false);
            return (ExitCodes.AccessDenied, null);
        }

        sources.AddRange(RuntimeAttach.SourcesFor(pid, interval, notes, goPprof: goPprof));
        sources.AddRange(goSources);
        foreach (var note in notes)
        {
            await Console.Error.WriteLineAsync($"memlens: {note}").ConfigureAwait(false);
        }

        var facts = ProcessFacts.Read(pid);
        string name = TerminalText.Sanitize(facts.TryGetValue("target.name", out var n) ? n : "?");
        if (heap is not null)
        {
            if (facts.TryGetValue("target.runtime", out var runtime) && runtime != "dotnet")
            {
                await Console.Error.WriteLineAsync($"memlens: --snapshots applies to .NET processes; PID {pid} runs {TerminalText.Sanitize(runtime)}, so it is observed without them.").ConfigureAwait(false);
                heap = null;
            }
            else
            {
                await heap.TakeFirstAsync(ct).ConfigureAwait(false);
            }
        }

        var store = new MetricStore();
        long started = MonotonicClock.NowUnixMs;
        await Console.Error.WriteLineAsync($"memlens: observing PID {pid} ({name}) for {Durations.Format(duration)} before judging; Ctrl+C judges what was seen so far.").ConfigureAwait(false);

        WatchSession.EndReason reason;
        using (var sampler = new Sampler(store, sources))
        {
            var exited = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            sampler.TargetExited += _ => exited.TrySetResult();
            sampler.Start();
            var status = new StatusLine();
            var progress = Progress(store, started, duration, status);
            reason = await DashboardLifetime.WaitAsync(exited.Task, duration, progress, ct).ConfigureAwait(false);
            status.Clear();
            sampler.SampleNow(force: true);
        }

        long ended = MonotonicClock.NowUnixMs;
        string watched = Durations.Format(TimeSpan.FromMilliseconds(ended - started));
        await Console.Error.WriteLineAsync(reason switch
        {
            WatchSession.EndReason.TargetExited => $"memlens: PID {pid} exited after {watched}; judging what was seen.",
            WatchSession.EndReason.Cancelled => $"memlens: stopped after {watched}; judging what was seen.",
            _ => $"memlens: observed PID {pid} for {watched}.",
        }).ConfigureAwait(false);
        var report = MemoryDoctor.Examine(store, facts, started, ended);
        return (ExitCodes.Ok, heap is null ? report : await heap.AnnotateAsync(report, ct).ConfigureAwait(false));
    }

    // Every second on a terminal; when stderr is not one, a line every 30 s so a log shows it is alive.
    private static Action Progress(MetricStore store, long started, TimeSpan duration, StatusLine status)
    {
        long lastLine = started;
        return () =>
        {
            long now = MonotonicClock.NowUnixMs;
            var elapsed = TimeSpan.FromMilliseconds(now - started);
            string rss = store.TryGetLatest(MetricCatalog.ProcessRss, out _, out double v) ? ByteSize.Format(v) : "…";
            string text = $"observing: {Durations.Format(elapsed)} of {Durations.Format(duration)} · RSS {rss}";
            status.Show(text);
            if (Console.IsErrorRedirected && now - lastLine >= 30_000)
            {
                lastLine = now;
                Console.Error.WriteLine("memlens: " + text);
            }
        };
    }
}
