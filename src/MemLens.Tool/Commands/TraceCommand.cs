using System.CommandLine;
using System.Text;
using System.Text.Json;
using MemLens.AspNetCore;
using MemLens.Events;
using MemLens.Formatting;
using MemLens.Go;
using MemLens.Metrics;
using MemLens.Sampling;
using MemLens.Storage;
using MemLens.Tool.Cli;
using MemLens.Tool.Dashboard;
using MemLens.Recording;
using MemLens.Tool.Recording;
using MemLens.Tool.Rendering;

namespace MemLens.Tool.Commands;

/// <summary>
/// <c>memlens trace -</c> and <c>memlens trace FILE</c>: a Go program's GC and scavenger trace, piped in live or
/// replayed from a saved log, in the dashboard or as JSON lines.
/// </summary>
internal static class TraceCommand
{
    private static readonly JsonWriterOptions s_json = new() { Indented = false };

    public static Command Create()
    {
        var input = new Argument<string>("input")
        {
            Description = "Where the trace comes from: - for standard input (e.g. GODEBUG=gctrace=1,scavtrace=1 ./svc 2>&1 | memlens trace -), " +
                          "or a saved log file, replayed on its own timeline (@#s of each GC line): in the dashboard it ends now, " +
                          "in JSON lines at the file's last write (so a log saved as the program ran gets its real times back).",
        };
        var jsonLines = new Option<bool>("--json-lines")
        {
            Description = "Print each parsed GC, scavenger report and malformed trace line as one JSON object per line on stdout " +
                          "({\"t\": ISO-8601 UTC, \"type\": \"go.gc\" | \"go.scavenge\" | \"go.trace.malformed\", …}, values in base units), " +
                          "ending with {\"type\": \"summary\", \"gc_lines\", \"scavenge_lines\", \"malformed_lines\", \"other_lines\"}, " +
                          "instead of serving the dashboard.",
        };
        var common = new CommonOptions();
        var dashboard = new DashboardOptions();
        var command = new Command("trace",
            "Read a Go program's GC trace (GODEBUG=gctrace=1,scavtrace=1, any Go version from 1.5) from a pipe or a saved log and " +
            "show every GC and scavenger cycle: heap at start, end and live, the goal, stop-the-world and concurrent times, GC CPU, " +
            "memory returned to the OS. Lines that are not trace lines pass through to stderr untouched (piped input; a saved log with " +
            "--json-lines); malformed trace lines are " +
            "counted and shown, never fatal. Serves the dashboard (until Ctrl+C or --duration), or prints JSON lines.")
        {
            input,
        };
        command.Options.Add(common.Duration);
        command.Options.Add(common.Interval);
        command.Options.Add(jsonLines);
        dashboard.AddTo(command, jsonLines, withTui: false);
        var record = new RecordOptions();
        record.AddTo(command);

        command.SetAction(async (parse, ct) =>
        {
            string source = parse.GetValue(input)!;
            bool json = parse.GetValue(jsonLines);
            bool stdin = source == "-";
            if (!stdin && Directory.Exists(source))
            {
                await Console.Error.WriteLineAsync($"memlens: {source} is a directory; trace reads a saved log file, or - for standard input.").ConfigureAwait(false);
                return ExitCodes.Error;
            }

            if (!stdin && !File.Exists(source))
            {
                await Console.Error.WriteLineAsync($"memlens: no such file: {source}").ConfigureAwait(false);
                return ExitCodes.Error;
            }

            var interval = parse.GetValue(common.Interval) ?? TimeSpan.FromSeconds(1);
            var duration = parse.GetValue(common.Duration);
            var recordTo = record.Read(parse, stdin ? "go-trace" : Path.GetFileNameWithoutExtension(source));
            if (recordTo?.Problem() is { } problem)
            {
                await Console.Error.WriteLineAsync($"memlens: {problem}").ConfigureAwait(false);
                return ExitCodes.Error;
            }

            var rec = new TraceRecording(recordTo, new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["target.pid"] = "0",
                ["target.name"] = stdin ? "stdin" : Path.GetFileName(source),
                ["target.runtime"] = "go",
                ["trace.source"] = stdin ? "standard input" : Path.GetFullPath(source),
            });
            try
            {
                return (stdin, json) switch
                {
                    (true, true) => await PipeToJsonAsync(interval, rec, ct).ConfigureAwait(false),
                    (false, true) => ReplayToJson(source, rec, ct),
                    (true, false) => await PipeToDashboardAsync(interval, duration, dashboard.Read(parse), rec, ct).ConfigureAwait(false),
                    (false, false) => await ReplayToDashboardAsync(source, duration, dashboard.Read(parse), rec, ct).ConfigureAwait(false),
                };
            }
            catch (RecordingException ex)
            {
                await Console.Error.WriteLineAsync($"memlens: {ex.Message}").ConfigureAwait(false);
                return ExitCodes.Error;
            }
            catch (IOException ex) when (!stdin)
            {
                await Console.Error.WriteLineAsync($"memlens: cannot read {source}: {ex.Message}").ConfigureAwait(false);
                return ExitCodes.Error;
            }
            catch (UnauthorizedAccessException ex)
            {
                await Console.Error.WriteLineAsync($"memlens: cannot read {source}: {ex.Message}").ConfigureAwait(false);
                return ExitCodes.Error;
            }
        });
        return command;
    }

    // ---- JSON lines ----

    private static async Task<int> PipeToJsonAsync(TimeSpan interval, TraceRecording rec, CancellationToken ct)
    {
        using var stdout = Console.OpenStandardOutput();
        var json = new JsonLineWriter(s_json);
        var tally = new GoTraceTally();
        // Recording needs the series too: the same lines go through a trace source sampled into a store.
        GoTraceSource? recorded = null;
        Sampler? sampler = null;
        if (rec.Settings is not null)
        {
            var store = new MetricStore();
            recorded = new GoTraceSource(interval);
            sampler = new Sampler(store, [recorded]);
            rec.Start(store);
            sampler.Start();
        }

        using var recording = rec;
        using var sampling = sampler;
        try
        {
            while (await Console.In.ReadLineAsync(ct).ConfigureAwait(false) is { } line)
            {
                long now = MonotonicClock.NowUnixMs;
                recorded?.Offer(line, now);
                var parsed = GoTraceLine.Parse(line, now);
                tally.Count(parsed.Kind);
                MemEvent? e = parsed.Kind switch
                {
                    GoTraceLineKind.Gc => parsed.Gc,
                    GoTraceLineKind.Scavenge => parsed.Scavenge,
                    GoTraceLineKind.Malformed => GoTraceSource.MalformedNote(parsed, line, now),
                    _ => null,
                };
                if (e is null)
                {
                    await Console.Error.WriteLineAsync(line).ConfigureAwait(false); // the program's own line, untouched
                    continue;
                }

                WriteEvent(json, stdout, e);
                await stdout.FlushAsync(CancellationToken.None).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            // Ctrl+C: the summary still ends the output.
        }

        sampler?.SampleNow(force: true);
        WriteSummary(json, stdout, tally);
        return ExitCodes.Ok;
    }

    private static int ReplayToJson(string path, TraceRecording rec, CancellationToken ct)
    {
        using var stdout = new BufferedStream(Console.OpenStandardOutput(), 64 << 10);
        var json = new JsonLineWriter(s_json);
        GoTraceTally tally;
        var store = rec.Settings is null ? null : new MetricStore(new MetricStoreOptions { MemoryBudgetBytes = 64L << 20, MaxEvents = 200_000 });
        // The replay reads the log twice (its timeline, then its lines); the line being visited is the last one read.
        string? current = null;
        var stderr = Console.Error;
        try
        {
            tally = GoTraceReplay.Load(() => new LineTap(OpenLog(path), line => current = line), LastWriteMs(path), store, visit: (kind, e, _) =>
            {
                if (e is not null)
                {
                    WriteEvent(json, stdout, e);
                }
                else if (kind == GoTraceLineKind.Other && current is not null)
                {
                    stderr.WriteLine(current); // the program's own line, untouched, as the help says
                }
            }, ct: ct);
        }
        catch (OperationCanceledException)
        {
            return ExitCodes.Ok;
        }

        WriteSummary(json, stdout, tally);
        if (store is not null)
        {
            // The replay is in the store: one recording of the whole log, written at once.
            using (rec)
            {
                rec.Start(store);
            }
        }

        return ExitCodes.Ok;
    }

    private static void WriteEvent(JsonLineWriter line, Stream output, MemEvent e) => line.Write(output, e.WriteJson);

    private static void WriteSummary(JsonLineWriter line, Stream output, GoTraceTally tally)
    {
        line.Write(output, writer =>
        {
            writer.WriteStartObject();
            writer.WriteString("type", "summary");
            tally.WriteJson(writer);
            writer.WriteEndObject();
        });
        output.Flush();
    }

    // ---- dashboard ----

    private static async Task<int> PipeToDashboardAsync(TimeSpan interval, TimeSpan? duration, DashboardSettings settings, TraceRecording rec, CancellationToken ct)
    {
        var source = new GoTraceSource(interval);
        var store = new MetricStore();
        using var recording = rec;
        rec.Start(store);
        var monitor = new MemLensMonitor(store, [source], new MemLensTarget(0, "stdin", "go", InProcess: false),
            new MemLensOptions { SampleInterval = interval, Title = "Go trace from standard input" });
        rec.ShowOn(monitor);
        return await StoreDashboard.ServeAsync(monitor, "Go trace from standard input", settings, duration, ct, () =>
        {
            // Read on a task of its own: the console's reader blocks. It ends with the input or Ctrl+C.
            _ = Task.Run(async () =>
            {
                try
                {
                    while (await Console.In.ReadLineAsync(ct).ConfigureAwait(false) is { } line)
                    {
                        if (source.Offer(line, MonotonicClock.NowUnixMs) == GoTraceLineKind.Other)
                        {
                            await Console.Error.WriteLineAsync(line).ConfigureAwait(false);
                        }
                    }

                    monitor.SampleNow();
                    await Console.Error.WriteLineAsync($"memlens: end of input ({source.Tally}); the dashboard stays up until Ctrl+C.").ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                }
            }, CancellationToken.None);
            return Task.CompletedTask;
        }, () => $"{source.Tally.GcLines} GCs · {source.Tally.ScavengeLines} scavenger reports · {source.Tally.MalformedLines} malformed").ConfigureAwait(false);
    }

    private static async Task<int> ReplayToDashboardAsync(string path, TimeSpan? duration, DashboardSettings settings, TraceRecording rec, CancellationToken ct)
    {
        using var recording = rec;
        var store = new MetricStore();
        var status = new StatusLine();
        var progress = new Progress<long>(n => status.Show($"reading {Path.GetFileName(path)}: {n:N0} lines"));
        GoTraceTally tally;
        try
        {
            // Ends now, so that the page's "all" range is the whole log (the times are the log's own, shifted).
            long end = MonotonicClock.NowUnixMs;
            tally = await Task.Run(() => GoTraceReplay.Load(() => OpenLog(path), end, store, progress: progress, ct: ct), ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            status.Clear();
            return ExitCodes.Ok;
        }

        status.Clear();
        await Console.Error.WriteLineAsync($"memlens: {Path.GetFileName(path)}: {tally}.").ConfigureAwait(false);
        if (tally.GcLines + tally.ScavengeLines == 0)
        {
            await Console.Error.WriteLineAsync("memlens: no GC trace lines in it: was the program run with GODEBUG=gctrace=1,scavtrace=1, and its standard error saved?").ConfigureAwait(false);
        }

        rec.Start(store);
        string name = Path.GetFileName(path);
        // A replay does not move: the page opens no stream, shows no live indicator and lists the events.
        var monitor = new MemLensMonitor(store, [], new MemLensTarget(0, name, "go", InProcess: false),
            new MemLensOptions { Title = $"{name} (Go trace replay)" }) { Live = false };
        rec.ShowOn(monitor);
        string span = Span(store);
        return await StoreDashboard.ServeAsync(monitor, $"{path} (replay{span})", settings, duration, ct, () => Task.CompletedTask, statusText: null, wholeRange: true).ConfigureAwait(false);
    }

    /// <summary>A reader that hands every line it reads to <paramref name="seen"/> too.</summary>
    private sealed class LineTap(TextReader inner, Action<string> seen) : TextReader
    {
        public override string? ReadLine()
        {
            string? line = inner.ReadLine();
            if (line is not null)
            {
                seen(line);
            }

            return line;
        }

        public override int Peek() => inner.Peek();

        public override int Read() => inner.Read();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }

    private static TextReader OpenLog(string path) =>
        new StreamReader(path, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, new FileStreamOptions { BufferSize = 64 << 10 });

    private static long LastWriteMs(string path) => new DateTimeOffset(File.GetLastWriteTimeUtc(path)).ToUnixTimeMilliseconds();

    private static string Span(MetricStore store)
    {
        if (!store.TryGetFirst(MetricCatalog.GoGcCount, out long first, out _) || !store.TryGetLatest(MetricCatalog.GoGcCount, out long last, out _))
        {
            return "";
        }

        return $", {Durations.Format(TimeSpan.FromMilliseconds(last - first))} of GCs";
    }
}

/// <summary>A trace's recording: settled before the input is read, started once there is a store to record.</summary>
internal sealed class TraceRecording(RecordSettings? settings, IReadOnlyDictionary<string, string> facts) : IDisposable
{
    private ToolRecording? _recording;

    public RecordSettings? Settings => settings;

    /// <summary>Starts recording <paramref name="store"/>; throws <see cref="RecordingException"/> when --record's file cannot be made.</summary>
    public void Start(MetricStore store) => _recording ??= ToolRecording.Start(store, settings, facts);

    /// <summary>The recording's state in the dashboard's <c>api/status</c> (e.g. paused on a full disk), once started.</summary>
    public void ShowOn(MemLensMonitor monitor)
    {
        if (_recording is { } recording)
        {
            monitor.AddSinkStatus(() => recording.Status);
        }
    }

    public void Dispose() => _recording?.Dispose();
}
