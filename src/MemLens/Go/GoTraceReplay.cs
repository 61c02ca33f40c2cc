using MemLens.Events;
using MemLens.Storage;

namespace MemLens.Go;

/// <summary>
/// Places the lines of a saved Go trace on a timeline of their own. A gctrace line says when its GC started as time
/// since the program started (<c>@12.345s</c>); scavenger lines say nothing, so each is placed at the time of the
/// line before it. A time that goes backwards (two runs of a program in one log) starts a new run right after the
/// previous one, so that the timeline only moves forward.
/// </summary>
public sealed class GoTraceTimeline
{
    private long _runStartMs;
    private long _lastMs;

    /// <summary>Milliseconds from the start of the log to the last line placed.</summary>
    public long OffsetMs => _lastMs;

    /// <summary>Returns the offset, in ms from the start of the log, of a line (a parsed GC moves the timeline).</summary>
    public long Place(GoGcTraceEvent? gc)
    {
        if (gc is not null)
        {
            long since = (long)gc.SinceStart.TotalMilliseconds;
            long at = _runStartMs + since;
            if (at < _lastMs)
            {
                // An earlier time than the line before: a new run of the program, placed right after the last line.
                _runStartMs = _lastMs - since;
                at = _lastMs;
            }

            _lastMs = at;
        }

        return _lastMs;
    }
}

/// <summary>
/// Loads a saved Go trace (a log of a program run with <c>GODEBUG=gctrace=1,scavtrace=1</c>) into a store, each
/// GC and scavenger report at its place on the log's own timeline (<see cref="GoTraceTimeline"/>), ending at a
/// given time (the file's last write, so a log saved as the program ran gets its real times back).
/// </summary>
public static class GoTraceReplay
{
    /// <summary>
    /// Reads the log twice (once to find how long it spans, once to load it) and fills <paramref name="store"/>.
    /// </summary>
    /// <param name="visit">When given, sees every line with its kind, event (or malformed note) and time, in order.</param>
    /// <param name="ct">Stops the reading (OperationCanceledException).</param>
    /// <param name="open">Opens the log from its start; called twice.</param>
    /// <param name="endMs">Unix ms of the log's last line.</param>
    /// <param name="store">Where the series and events go; null to only visit.</param>
    /// <param name="progress">Lines read so far, reported now and then (both passes: the second starts from 0 again).</param>
    public static GoTraceTally Load(Func<TextReader> open, long endMs, MetricStore? store, Action<GoTraceLineKind, MemEvent?, long>? visit = null, IProgress<long>? progress = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(open);
        var span = new GoTraceTimeline();
        long lines = 0;
        using (var reader = open())
        {
            while (reader.ReadLine() is { } line)
            {
                ct.ThrowIfCancellationRequested();
                if (GoTraceLine.IsGcStart(line.AsSpan().TrimStart()))
                {
                    span.Place(GoTraceLine.Parse(line).Gc);
                }

                Report(progress, ++lines);
            }
        }

        long startMs = endMs - span.OffsetMs;
        var timeline = new GoTraceTimeline();
        var tally = new GoTraceTally();
        long workTotal = 0;
        long malformed = 0;
        lines = 0;
        using (var reader = open())
        {
            while (reader.ReadLine() is { } line)
            {
                ct.ThrowIfCancellationRequested();
                Report(progress, ++lines);
                var parsed = GoTraceLine.Parse(line);
                tally.Count(parsed.Kind);
                long at = startMs + timeline.Place(parsed.Gc);
                MemEvent? memEvent = null;
                switch (parsed.Kind)
                {
                    // Parsed once; the event is moved to its place on the timeline, which its own @#s decides.
                    case GoTraceLineKind.Gc:
                        var gc = (GoGcTraceEvent)parsed.Gc!.At(at);
                        memEvent = gc;
                        if (store is not null)
                        {
                            GoTraceMetrics.WriteGc(gc, (m, v) => store.Append(m, at, v));
                        }

                        break;
                    case GoTraceLineKind.Scavenge:
                        var scavenge = (GoScavengeTraceEvent)parsed.Scavenge!.At(at);
                        memEvent = scavenge;
                        if (store is not null)
                        {
                            GoTraceMetrics.WriteScavenge(scavenge, ref workTotal, (m, v) => store.Append(m, at, v));
                        }

                        break;
                    case GoTraceLineKind.Malformed:
                        memEvent = GoTraceSource.MalformedNote(parsed, line, at);
                        if (++malformed > GoTraceSource.MaxMalformedNotes)
                        {
                            // Counted, and passed to the visitor, but not kept in the store past the limit.
                            visit?.Invoke(parsed.Kind, memEvent, at);
                            continue;
                        }

                        break;
                }

                if (memEvent is not null)
                {
                    store?.AddEvent(memEvent);
                }

                visit?.Invoke(parsed.Kind, memEvent, at);
            }
        }

        return tally;
    }

    private static void Report(IProgress<long>? progress, long lines)
    {
        if (progress is not null && (lines & 0xFFFF) == 0)
        {
            progress.Report(lines);
        }
    }
}
