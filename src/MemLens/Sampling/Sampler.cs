using System.Diagnostics;
using MemLens.Events;
using MemLens.Metrics;
using MemLens.Storage;

namespace MemLens.Sampling;

/// <summary>
/// Runs every source on its own interval on one dedicated background thread, stamps values with a
/// monotonic clock and hands them to the store. A source that throws reports its error in
/// <see cref="Statuses"/>; the others keep running. Nothing here throws into the caller's threads.
/// </summary>
public sealed class Sampler : IDisposable
{
    private readonly MetricStore _store;
    private readonly SourceSlot[] _slots;
    private readonly SampleBuffer _buffer = new();
    private readonly object _runLock = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly AutoResetEvent _wake = new(false);
    private Thread? _thread;
    private bool _disposed;

    public Sampler(MetricStore store, IEnumerable<IMetricSource> sources)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(sources);
        _store = store;
        _slots = sources.Select(s => new SourceSlot(s)).ToArray();
    }

    /// <summary>The store values go to.</summary>
    public MetricStore Store => _store;

    /// <summary>
    /// Raised on the sampler thread after each round in which a source ran or an event occurred, with the values
    /// and events of that round. The batch is reused: copy what you keep. Handlers must be quick and
    /// must not throw (exceptions are swallowed and counted in <see cref="HandlerFailures"/>).
    /// </summary>
    public event Action<SampleBatch>? Sampled;

    /// <summary>Raised once when a source reports that its target process exited.</summary>
    public event Action<TargetExitedException>? TargetExited;

    /// <summary>Exceptions thrown by <see cref="Sampled"/> handlers, swallowed to protect the sampler.</summary>
    public long HandlerFailures { get; private set; }

    /// <summary>True once a source has reported that its target exited.</summary>
    public bool TargetHasExited { get; private set; }

    /// <summary>A snapshot of each source's state.</summary>
    public IReadOnlyList<SourceStatus> Statuses
    {
        get
        {
            lock (_runLock)
            {
                return _slots.Select(s => s.ToStatus()).ToArray();
            }
        }
    }

    /// <summary>Starts the background thread. Calling it twice does nothing.</summary>
    public void Start()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_thread is not null)
        {
            return;
        }

        _thread = new Thread(Loop) { IsBackground = true, Name = "MemLens sampler" };
        _thread.Start();
    }

    /// <summary>
    /// Runs every source that is due now (or all of them with <paramref name="force"/>), on the calling
    /// thread. The background loop uses it; tests and one-shot commands call it directly.
    /// Returns the batch of that round (reused on the next call).
    /// </summary>
    public SampleBatch SampleNow(bool force = true)
    {
        lock (_runLock)
        {
            long nowTicks = Stopwatch.GetTimestamp();
            _buffer.BeginRound(MonotonicClock.NowUnixMs);
            foreach (var slot in _slots)
            {
                if (slot.Stopped || (!force && slot.NextDueTicks > nowTicks))
                {
                    continue;
                }

                RunOne(slot);
            }

            if (_buffer.Batch.SourcesRun > 0 || _buffer.Batch.Events.Count > 0)
            {
                try
                {
                    Sampled?.Invoke(_buffer.Batch);
                }
#pragma warning disable CA1031 // A handler's failure must never stop sampling.
                catch (Exception)
#pragma warning restore CA1031
                {
                    HandlerFailures++;
                }
            }

            return _buffer.Batch;
        }
    }

    private void RunOne(SourceSlot slot)
    {
        long start = Stopwatch.GetTimestamp();
        long timestamp = MonotonicClock.NowUnixMs;
        _buffer.BeginSource(timestamp);
        try
        {
            slot.Source.Sample(_buffer);
            _buffer.CommitSource(_store);
            slot.RecordSuccess(timestamp, Stopwatch.GetElapsedTime(start));
        }
        catch (TargetExitedException ex)
        {
            _buffer.DiscardSource();
            slot.Stop(ex.Message);
            if (!TargetHasExited)
            {
                TargetHasExited = true;
                var note = new NoteEvent(timestamp, "process.exit", ex.Message);
                _store.AddEvent(note);
                _buffer.Batch.AddEvent(note);
                TargetExited?.Invoke(ex);
            }
        }
#pragma warning disable CA1031 // Isolation is the point: a failing source reports, the rest keep going.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            _buffer.DiscardSource();
            bool wasHealthy = slot.ConsecutiveFailures == 0;
            slot.RecordFailure(ex, Stopwatch.GetElapsedTime(start));
            if (wasHealthy)
            {
                // One event when a source starts failing, not one per attempt: the store's event history stays useful.
                var note = new NoteEvent(timestamp, "source.error", $"{slot.Source.Name}: {ex.Message}");
                _store.AddEvent(note);
                _buffer.Batch.AddEvent(note);
            }
        }

        slot.Schedule(Stopwatch.GetTimestamp());
    }

    private void Loop()
    {
        var token = _stop.Token;
        while (!token.IsCancellationRequested)
        {
            SampleNow(force: false);
            long next = long.MaxValue;
            lock (_runLock)
            {
                foreach (var slot in _slots)
                {
                    if (!slot.Stopped && slot.NextDueTicks < next)
                    {
                        next = slot.NextDueTicks;
                    }
                }
            }

            if (next == long.MaxValue)
            {
                return; // every source stopped
            }

            var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), next);
            if (wait > TimeSpan.Zero)
            {
                _wake.WaitOne(wait > TimeSpan.FromHours(1) ? TimeSpan.FromHours(1) : wait);
            }
        }
    }

    /// <summary>Stops the background thread and disposes the sources.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _stop.Cancel();
        _wake.Set();
        _thread?.Join(TimeSpan.FromSeconds(5));
        foreach (var slot in _slots)
        {
            try
            {
                slot.Source.Dispose();
            }
#pragma warning disable CA1031 // Disposal of one source must not prevent the others'.
            catch (Exception)
#pragma warning restore CA1031
            {
            }
        }

        _stop.Dispose();
        _wake.Dispose();
    }

    private sealed class SourceSlot(IMetricSource source)
    {
        public IMetricSource Source { get; } = source;

        public long NextDueTicks { get; private set; }

        public bool Stopped { get; private set; }

        public int ConsecutiveFailures { get; private set; }

        private long _runs;
        private long _failures;
        private string? _lastError;
        private long _lastSuccessMs;
        private TimeSpan _lastDuration;

        public void RecordSuccess(long timestampMs, TimeSpan duration)
        {
            _runs++;
            ConsecutiveFailures = 0;
            _lastSuccessMs = timestampMs;
            _lastDuration = duration;
        }

        public void RecordFailure(Exception ex, TimeSpan duration)
        {
            _runs++;
            _failures++;
            ConsecutiveFailures++;
            _lastError = ex.Message;
            _lastDuration = duration;
        }

        public void Stop(string reason)
        {
            Stopped = true;
            _lastError = reason;
        }

        public void Schedule(long nowTicks)
        {
            var interval = Source.Interval;
            if (interval <= TimeSpan.Zero)
            {
                interval = TimeSpan.FromSeconds(1);
            }

            // Back off a failing source (up to 30 s) so a broken file is not hammered every second.
            if (ConsecutiveFailures > 1)
            {
                double factor = Math.Min(Math.Pow(2, ConsecutiveFailures - 1), 30);
                interval = TimeSpan.FromTicks(Math.Min((long)(interval.Ticks * factor), TimeSpan.FromSeconds(30).Ticks));
            }

            NextDueTicks = nowTicks + (long)(interval.TotalSeconds * Stopwatch.Frequency);
        }

        public SourceStatus ToStatus() => new(
            Source.Name,
            Stopped ? SourceState.Stopped : ConsecutiveFailures > 0 ? SourceState.Failing : _runs == 0 ? SourceState.Starting : SourceState.Ok,
            _lastError,
            _lastSuccessMs,
            _runs,
            _failures,
            _lastDuration,
            Source.Interval);
    }

    /// <summary>Collects one source's values; committed to the store only if the source finished without error.</summary>
    private sealed class SampleBuffer : ISampleWriter
    {
        private readonly double[] _values = new double[MetricCatalog.Count];
        private readonly int[] _written = new int[MetricCatalog.Count];
        private readonly bool[] _isWritten = new bool[MetricCatalog.Count];
        private readonly List<MemEvent> _events = [];
        private int _writtenCount;

        public SampleBatch Batch { get; } = new();

        public long TimestampMs { get; private set; }

        public void BeginRound(long timestampMs) => Batch.Reset(timestampMs);

        public void BeginSource(long timestampMs)
        {
            TimestampMs = timestampMs;
            DiscardSource();
        }

        public void Write(MetricDescriptor metric, double value)
        {
            ArgumentNullException.ThrowIfNull(metric);
            _values[metric.Id] = value;
            if (!_isWritten[metric.Id])
            {
                _isWritten[metric.Id] = true;
                _written[_writtenCount++] = metric.Id;
            }
        }

        public void Event(MemEvent memEvent)
        {
            ArgumentNullException.ThrowIfNull(memEvent);
            _events.Add(memEvent);
        }

        public void CommitSource(MetricStore store)
        {
            var all = MetricCatalog.All;
            for (int i = 0; i < _writtenCount; i++)
            {
                int id = _written[i];
                store.Append(all[id], TimestampMs, _values[id]);
                Batch.SetValue(id, _values[id]);
            }

            foreach (var e in _events)
            {
                store.AddEvent(e);
                Batch.AddEvent(e);
            }

            Batch.SourcesRun++;
            DiscardSource();
        }

        public void DiscardSource()
        {
            for (int i = 0; i < _writtenCount; i++)
            {
                _isWritten[_written[i]] = false;
            }

            _writtenCount = 0;
            _events.Clear();
        }
    }
}

/// <summary>The values and events of one sampling round. Reused by the sampler: copy what you keep.</summary>
public sealed class SampleBatch
{
    private readonly double[] _values = new double[MetricCatalog.Count];
    private readonly bool[] _present = new bool[MetricCatalog.Count];
    private readonly List<MemEvent> _events = [];

    /// <summary>Unix ms at the start of the round.</summary>
    public long TimestampMs { get; private set; }

    /// <summary>Number of sources that completed in this round.</summary>
    public int SourcesRun { get; internal set; }

    public IReadOnlyList<MemEvent> Events => _events;

    /// <summary>The value written in this round, if any.</summary>
    public bool TryGetValue(MetricDescriptor metric, out double value)
    {
        ArgumentNullException.ThrowIfNull(metric);
        value = _values[metric.Id];
        return _present[metric.Id];
    }

    internal void Reset(long timestampMs)
    {
        TimestampMs = timestampMs;
        SourcesRun = 0;
        Array.Clear(_present);
        _events.Clear();
    }

    internal void SetValue(int id, double value)
    {
        _values[id] = value;
        _present[id] = true;
    }

    internal void AddEvent(MemEvent e) => _events.Add(e);
}

/// <summary>State of a source, for status lines.</summary>
public enum SourceState
{
    Starting,
    Ok,
    Failing,
    Stopped,
}

/// <summary>A snapshot of one source's health.</summary>
/// <param name="Name">The source's name.</param>
/// <param name="State">Ok, failing, or stopped for good.</param>
/// <param name="LastError">The last error message, or null.</param>
/// <param name="LastSuccessMs">Unix ms of the last successful run, 0 if none.</param>
/// <param name="Runs">Number of runs.</param>
/// <param name="Failures">Number of runs that failed.</param>
/// <param name="LastDuration">How long the last run took.</param>
/// <param name="Interval">The source's current interval.</param>
public sealed record SourceStatus(string Name, SourceState State, string? LastError, long LastSuccessMs, long Runs, long Failures, TimeSpan LastDuration, TimeSpan Interval);
