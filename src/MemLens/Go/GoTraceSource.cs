using MemLens.Events;
using MemLens.Metrics;
using MemLens.Sampling;

namespace MemLens.Go;

/// <summary>
/// The Go runtime's own view of a program, from the trace lines it prints on standard error with
/// <c>GODEBUG=gctrace=1,scavtrace=1</c>: every GC and scavenger report as an event stamped when its line was read,
/// and the latest figures as series (<see cref="GoTraceMetrics"/>). Lines come from whoever reads the program's
/// output (<c>memlens run</c>, <c>memlens trace -</c>) through <see cref="Offer"/>; the sampler pulls.
/// </summary>
/// <remarks>
/// Bounded: at most <see cref="MaxPendingEvents"/> parsed lines wait between two samples (the excess is counted as
/// dropped and said in a note), and only the first <see cref="MaxMalformedNotes"/> malformed lines are shown as
/// notes; every line is counted in <see cref="Tally"/>. Parsing happens on the reader's thread, so a sample costs
/// only the draining of the queue.
/// </remarks>
public sealed class GoTraceSource : IMetricSource
{
    /// <summary>Parsed lines held between two samples at most.</summary>
    public const int MaxPendingEvents = 4096;

    /// <summary>Malformed trace lines shown as <c>go.trace.malformed</c> notes; later ones are counted only.</summary>
    public const int MaxMalformedNotes = 20;

    /// <summary>Characters of a malformed line quoted in its note.</summary>
    private const int MaxQuotedChars = 160;

    private readonly object _lock = new();
    private readonly Queue<MemEvent> _pending = new();
    private readonly TimeSpan _interval;
    private long _dropped;
    private long _droppedReported;
    private long _malformedNoted;
    private long _scavengeWork;

    public GoTraceSource(TimeSpan? interval = null) => _interval = interval ?? TimeSpan.FromSeconds(1);

    public string Name => "go.trace";

    public TimeSpan Interval => _interval;

    /// <summary>Lines seen so far by kind.</summary>
    public GoTraceTally Tally { get; } = new();

    /// <summary>Parsed lines lost because more than <see cref="MaxPendingEvents"/> arrived between two samples.</summary>
    public long DroppedEvents => Interlocked.Read(ref _dropped);

    /// <summary>
    /// Classifies and parses one line of the program's output (read at <paramref name="timestampMs"/>, Unix ms) and
    /// queues what it found for the next sample. Returns the line's kind so that the caller can pass other lines
    /// through. Safe from any one reader thread; never throws.
    /// </summary>
    public GoTraceLineKind Offer(ReadOnlySpan<char> line, long timestampMs)
    {
        var parsed = GoTraceLine.Parse(line, timestampMs);
        Tally.Count(parsed.Kind);
        MemEvent? memEvent = parsed.Kind switch
        {
            GoTraceLineKind.Gc => parsed.Gc,
            GoTraceLineKind.Scavenge => parsed.Scavenge,
            GoTraceLineKind.Malformed when Interlocked.Increment(ref _malformedNoted) <= MaxMalformedNotes =>
                MalformedNote(parsed, line, timestampMs),
            _ => null,
        };
        if (memEvent is not null)
        {
            lock (_lock)
            {
                if (_pending.Count >= MaxPendingEvents)
                {
                    _dropped++;
                }
                else
                {
                    _pending.Enqueue(memEvent);
                }
            }
        }

        return parsed.Kind;
    }

    public void Sample(ISampleWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        MemEvent[] events;
        long dropped;
        lock (_lock)
        {
            events = _pending.Count == 0 ? [] : _pending.ToArray();
            _pending.Clear();
            dropped = _dropped;
        }

        GoGcTraceEvent? lastGc = null;
        bool scavenged = false;
        foreach (var e in events)
        {
            writer.Event(e);
            switch (e)
            {
                case GoGcTraceEvent gc:
                    lastGc = gc;
                    break;
                case GoScavengeTraceEvent scavenge:
                    // Every report adds to the work total; the released total is the latest one's.
                    GoTraceMetrics.WriteScavenge(scavenge, ref _scavengeWork, writer.Write);
                    scavenged = true;
                    break;
            }
        }

        if (lastGc is not null)
        {
            // Series hold the last GC of the interval; every GC is in the events.
            GoTraceMetrics.WriteGc(lastGc, writer.Write);
        }

        if (!scavenged && _scavengeWork > 0)
        {
            writer.Write(MetricCatalog.GoScavengerWork, _scavengeWork);
        }

        if (dropped > _droppedReported)
        {
            writer.Event(new NoteEvent(writer.TimestampMs, "source.note",
                $"{dropped - _droppedReported} Go trace lines were dropped: more than {MaxPendingEvents} arrived between two samples."));
            _droppedReported = dropped;
        }
    }

    /// <summary>The note that shows a malformed trace line: type <c>go.trace.malformed</c>, the reason and the line (shortened).</summary>
    public static NoteEvent MalformedNote(GoTraceLine parsed, ReadOnlySpan<char> line, long timestampMs)
    {
        var quoted = line.Trim();
        string text = quoted.Length > MaxQuotedChars ? string.Concat(quoted[..MaxQuotedChars], "…") : quoted.ToString();
        return new NoteEvent(timestampMs, "go.trace.malformed", $"Malformed Go trace line ({parsed.Reason ?? "unrecognised"}): {text}");
    }

    public void Dispose()
    {
    }
}
