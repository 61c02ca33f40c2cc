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
            "memory returned to the OS. Lines that are not trace lines pass through to stderr untouched; malformed trace lines are " +
            "counted and shown, never fatal. Serves the dashboard (until Ctrl+C or --duration), or prints JSON lines.")
        {
            input,
        };
        command.Options.Add(common.Duration);
        command.Options.Add(common.Interval);
        command.Options.Add(jsonLines);
        dashboard.AddTo(command, jsonLines, withTui: false);

        command.SetAction(async (parse, ct) =>
        {
            string source = parse.GetValue(input)!;
            bool json = parse.GetValue(jsonLines);
            bool stdin = source == "-";
            if (!stdin && !File.Exists(source))
            {
                await Console.Error.WriteLineAsync($"memlens: no such file: {source}").ConfigureAwait(false);
                return ExitCodes.Error;
            }

            var interval = parse.GetValue(common.Interval) ?? TimeSpan.FromSeconds(1);
            var duration = parse.GetValue(common.Duration);
            try
            {
                return (stdin, json) switch
                {
                    (true, true) => await PipeToJsonAsync(ct).ConfigureAwait(false),
                    (false, true) => ReplayToJson(source, ct),
                    (true, false) => await PipeToDashboardAsync(interval, duration, dashboard.Read(parse), ct).ConfigureAwait(false),
                    (false, false) => await ReplayToDashboardAsync(source, duration, dashboard.Read(parse), ct).ConfigureAwait(false),
                };
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

    private static async Task<int> PipeToJsonAsync(CancellationToken ct)
    {
        using var stdout = Console.OpenStandardOutput();
        var json = new JsonLineWriter(s_json);
        var tally = new GoTraceTally();
        try
        {
            while (await Console.In.ReadLineAsync(ct).ConfigureAwait(false) is { } line)
            {
                long now = MonotonicClock.NowUnixMs;
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

        WriteSummary(json, stdout, tally);
        return ExitCodes.Ok;
    }

    private static int ReplayToJson(string path, CancellationToken ct)
    {
        using var stdout = new BufferedStream(Console.OpenStandardOutput(), 64 << 10);
        var json = new JsonLineWriter(s_json);
        GoTraceTally tally;
        try
        {
            tally = GoTraceReplay.Load(() => OpenLog(path), LastWriteMs(path), store: null, visit: (_, e, _) =>
            {
                if (e is not null)
                {
                    WriteEvent(json, stdout, e);
                }
            }, ct: ct);
        }
        catch (OperationCanceledException)
        {
            return ExitCodes.Ok;
        }

        WriteSummary(json, stdout, tally);
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

    private static async Task<int> PipeToDashboardAsync(TimeSpan interval, TimeSpan? duration, DashboardSettings settings, CancellationToken ct)
    {
        var source = new GoTraceSource(interval);
        var store = new MetricStore();
        var monitor = new MemLensMonitor(store, [source], new MemLensTarget(0, "stdin", "go", InProcess: false),
            new MemLensOptions { SampleInterval = interval, Title = "Go trace from standard input" });
        return await ServeAsync(monitor, "Go trace from standard input", settings, duration, ct, () =>
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

    private static async Task<int> ReplayToDashboardAsync(string path, TimeSpan? duration, DashboardSettings settings, CancellationToken ct)
    {
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

        string name = Path.GetFileName(path);
        // A replay does not move: the page opens no stream, shows no live indicator and lists the events.
        var monitor = new MemLensMonitor(store, [], new MemLensTarget(0, name, "go", InProcess: false),
            new MemLensOptions { Title = $"{name} (Go trace replay)" }) { Live = false };
        string span = Span(store);
        return await ServeAsync(monitor, $"{path} (replay{span})", settings, duration, ct, () => Task.CompletedTask, statusText: null, wholeRange: true).ConfigureAwait(false);
    }

    private static async Task<int> ServeAsync(MemLensMonitor monitor, string watching, DashboardSettings settings, TimeSpan? duration,
        CancellationToken ct, Func<Task> started, Func<string>? statusText, bool wholeRange = false)
    {
        MemLensServer? server = null;
        try
        {
            server = await DashboardHosting.TryStartAsync(monitor, settings).ConfigureAwait(false);
            if (server is null)
            {
                return ExitCodes.Error;
            }

            // A replay opens on its whole range rather than the last hour.
            var url = wholeRange ? new Uri(server.BrowserUrl.AbsoluteUri + (server.BrowserUrl.Fragment.Length > 0 ? "&" : "#") + "range=all") : server.BrowserUrl;
            DashboardAnnouncement.Print(watching, url, settings);
            await started().ConfigureAwait(false);
            var status = new StatusLine();
            await DashboardLifetime.WaitAsync(Task.Delay(Timeout.Infinite, CancellationToken.None), duration,
                statusText is null ? null : () => status.Show(statusText()), ct).ConfigureAwait(false);
            status.Clear();
            return ExitCodes.Ok;
        }
        finally
        {
            await DashboardHosting.StopAsync(monitor, server).ConfigureAwait(false);
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
