using MemLens.Actions;
using MemLens.Events;
using MemLens.Metrics;
using MemLens.Sampling;

namespace MemLens.Diagnostics.Attach;

/// <summary>
/// The runtime's view of another .NET process, from an EventPipe session (<see cref="RuntimeEventSession"/>):
/// every GC as an event with its own time, and the GC figures (heap, committed, fragmentation, per generation,
/// allocated, collections, pause time) as series beside the /proc figures of the same PID.
/// </summary>
/// <remarks>
/// The session pushes; the sampler pulls. GC events wait in a bounded queue (<see cref="MaxPendingEvents"/>;
/// beyond it new ones are counted as dropped) and the latest value of each metric is kept, so the sampler thread
/// never waits for the target and the session thread never waits for the sampler. Connecting happens on a
/// background task so that starting a watch is not held up by a slow target.
/// </remarks>
public sealed class EventPipeRuntimeSource : IMetricSource
{
    /// <summary>GC events held between two samples at most. A process doing more GCs per second than this loses the excess (counted).</summary>
    public const int MaxPendingEvents = 4096;

    private static readonly TimeSpan s_fastInterval = TimeSpan.FromMilliseconds(100);

    private readonly object _lock = new();
    private readonly Queue<GcEvent> _pending = new();
    private readonly Dictionary<MetricDescriptor, double> _latest = [];
    private readonly Queue<string> _notices = new();
    private readonly TimeSpan _interval;
    private readonly Task _connect;
    private RuntimeEventSession? _session;
    private Exception? _failure;
    private bool _ended;
    private bool _haveValues;
    private bool _disposed;

    /// <summary>Starts attaching to <paramref name="processId"/> at once, in the background.</summary>
    public EventPipeRuntimeSource(int processId, TimeSpan? interval = null, RuntimeSessionOptions? options = null)
    {
        ProcessId = processId;
        _interval = interval ?? TimeSpan.FromSeconds(1);
        _connect = Task.Run(() => Connect(options));
    }

    /// <summary>Wraps a session that is already open (e.g. one opened before a suspended process was resumed). It is started here.</summary>
    public EventPipeRuntimeSource(RuntimeEventSession session, TimeSpan? interval = null)
    {
        ArgumentNullException.ThrowIfNull(session);
        ProcessId = session.ProcessId;
        _interval = interval ?? TimeSpan.FromSeconds(1);
        Attach(session);
        _connect = Task.CompletedTask;
    }

    public int ProcessId { get; }

    public string Name => "dotnet.eventpipe";

    /// <summary>Fast until the first runtime value has arrived (so it shows within a fraction of a second), then the sampling interval.</summary>
    public TimeSpan Interval
    {
        get
        {
            lock (_lock)
            {
                return _haveValues || _failure is not null || _ended ? _interval : s_fastInterval;
            }
        }
    }

    /// <summary>GC events lost because more than <see cref="MaxPendingEvents"/> arrived between two samples (each loss is also said in a <c>source.note</c> event).</summary>
    public long DroppedEvents { get; private set; }

    private long _droppedReported;

    /// <summary>Completes when the connection attempt ends (successfully or not); see <see cref="Failure"/>.</summary>
    public Task Connected => _connect;

    /// <summary>Why the runtime's view is missing (one line), or null while it works.</summary>
    public string? Failure
    {
        get
        {
            lock (_lock)
            {
                return _failure?.Message;
            }
        }
    }

    public void Sample(ISampleWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        GcEvent[] events;
        string[] notices;
        KeyValuePair<MetricDescriptor, double>[] values;
        lock (_lock)
        {
            if (_failure is not null && _pending.Count == 0)
            {
                throw new InvalidOperationException(_failure.Message, _failure);
            }

            events = [.. _pending];
            _pending.Clear();
            if (DroppedEvents > _droppedReported)
            {
                _notices.Enqueue($"{DroppedEvents - _droppedReported} GC events of PID {ProcessId} were dropped: more than {MaxPendingEvents} arrived between two samples.");
                _droppedReported = DroppedEvents;
            }

            notices = [.. _notices];
            _notices.Clear();
            values = [.. _latest];
        }

        foreach (string notice in notices)
        {
            writer.Event(new NoteEvent(writer.TimestampMs, "source.note", notice));
        }

        foreach (var e in events)
        {
            writer.Event(e);
        }

        foreach (var (metric, value) in values)
        {
            writer.Write(metric, value);
        }

        bool ended;
        lock (_lock)
        {
            ended = _ended && _pending.Count == 0;
        }

        if (ended && DiagnosticPort.IsRunning(ProcessId))
        {
            throw new InvalidOperationException($"the runtime of PID {ProcessId} ended the EventPipe session.");
        }

        if (ended)
        {
            throw new TargetExitedException($"the EventPipe session with PID {ProcessId} ended: the process exited.") { ProcessId = ProcessId };
        }
    }

    private void Connect(RuntimeSessionOptions? options)
    {
        try
        {
            var session = RuntimeEventSession.Open(ProcessId, options);
            lock (_lock)
            {
                if (_disposed)
                {
                    session.Dispose();
                    return;
                }
            }

            Attach(session);
        }
#pragma warning disable CA1031 // Any failure becomes this source's status; the other sources go on.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            lock (_lock)
            {
                _failure = ex;
            }
        }
    }

    private void Attach(RuntimeEventSession session)
    {
        session.GcEnded += OnGc;
        session.ValuePublished += OnValue;
        session.Notice += OnNotice;
        lock (_lock)
        {
            _session = session;
        }

        session.Completion.ContinueWith(t =>
        {
            lock (_lock)
            {
                if (t.IsFaulted)
                {
                    _failure = DiagnosticPort.Explain(ProcessId, "read its runtime events", t.Exception!.GetBaseException());
                }
                else
                {
                    _ended = true;
                }
            }
        }, TaskScheduler.Default);
        session.Start();
    }

    private void OnGc(GcEvent gc)
    {
        lock (_lock)
        {
            if (_pending.Count >= MaxPendingEvents)
            {
                DroppedEvents++;
                return;
            }

            _pending.Enqueue(gc);
            _haveValues = true;
            _latest[MetricCatalog.GcPromoted] = gc.PromotedBytes;
            _latest[MetricCatalog.GcPinned] = gc.PinnedObjects;
            _latest[MetricCatalog.GcHeapSize] = gc.HeapSizeAfterBytes;
            _latest[MetricCatalog.GcFragmented] = gc.FragmentedBytes;
        }
    }

    // Notes become events in the store at the next sample (the session thread must not write to the store).
    private void OnNotice(string message)
    {
        lock (_lock)
        {
            _notices.Enqueue(message);
        }
    }

    private void OnValue(MetricDescriptor metric, double value)
    {
        lock (_lock)
        {
            // The meter reports heap size and fragmentation as of the last GC it saw; a GC event newer than the meter's
            // round is more precise, and the next round agrees with it again.
            _latest[metric] = value;
            _haveValues = true;
        }
    }

    public void Dispose()
    {
        RuntimeEventSession? session;
        lock (_lock)
        {
            _disposed = true;
            session = _session;
        }

        session?.Dispose();
    }
}
