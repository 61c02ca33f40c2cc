using System.Diagnostics;
using MemLens.Actions;
using MemLens.Metrics;
using MemLens.Sampling;
using MemLens.Snapshots;

namespace MemLens.AspNetCore.Actions;

/// <summary>
/// The dashboard's side of the actions on an attached process (<see cref="ITargetActions"/>): one action at a time
/// (a GC induced during a heap walk would disturb it), the induced GC with figures before and after, heap snapshots
/// taken in the background with throttled progress, and the last <see cref="MemLensOptions.MaxSnapshots"/>
/// snapshots kept (oldest dropped first).
/// </summary>
internal sealed class TargetActionRunner : IDisposable
{
    public const string GcHelp =
        "Induces a blocking, compacting full (gen2) garbage collection in the watched process and waits for it to " +
        "end. The process's threads are paused while the GC runs. RSS and PSS are sampled before and after; GC heap " +
        "sizes are the GC's own.";

    public const string SnapshotHelp =
        "Takes a heap snapshot: runs a full blocking GC in the watched process and walks its heap to count objects " +
        "and bytes per type. The process is paused for roughly the GC's duration plus the walk (seconds for a large " +
        "heap). Two snapshots can be compared to see which types grow.";

    /// <summary>Progress frames are sent at most this often (the last one, on completion, always).</summary>
    internal static readonly TimeSpan ProgressInterval = TimeSpan.FromMilliseconds(250);

    private readonly ITargetActions _actions;
    private readonly MemLensMonitor _monitor;
    private readonly int _maxSnapshots;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly CancellationTokenSource _lifetime = new();
    private readonly object _lock = new();
    private readonly LinkedList<SnapshotEntry> _snapshots = new();
    private RunningSnapshot? _running;
    private long _lastProgressTicks;
    private int _nextId;

    public TargetActionRunner(ITargetActions actions, MemLensMonitor monitor, int maxSnapshots)
    {
        _actions = actions;
        _monitor = monitor;
        _maxSnapshots = maxSnapshots;
    }

    /// <summary>The snapshot being taken now, or null.</summary>
    public RunningSnapshot? Running
    {
        get
        {
            lock (_lock)
            {
                return _running;
            }
        }
    }

    /// <summary>The background task of the newest snapshot (tests wait for it).</summary>
    internal Task SnapshotTask { get; private set; } = Task.CompletedTask;

    /// <summary>The snapshots held, oldest first.</summary>
    public IReadOnlyList<SnapshotEntry> Snapshots
    {
        get
        {
            lock (_lock)
            {
                return _snapshots.ToArray();
            }
        }
    }

    public SnapshotEntry? Find(string id)
    {
        lock (_lock)
        {
            return _snapshots.FirstOrDefault(s => s.Id == id);
        }
    }

    /// <summary>
    /// Induces a full GC; null when another action is running. Throws <see cref="TargetActionException"/> when the
    /// target cannot do it. Runs to the end even if the caller goes away: the GC happens in the target anyway.
    /// </summary>
    public async Task<InducedGcResult?> TryCollectAsync()
    {
        if (!await _gate.WaitAsync(0).ConfigureAwait(false))
        {
            return null;
        }

        try
        {
            var before = Sample();
            long ts = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            var stopwatch = Stopwatch.StartNew();
            // Task.Run: an implementation that throws before its first await still ends up in the task.
            var induced = await Task.Run(() => _actions.CollectAsync(_lifetime.Token)).ConfigureAwait(false);
            stopwatch.Stop();
            var after = Sample();
            var gc = induced.Gc;
            double durationMs = induced.Duration > TimeSpan.Zero ? induced.Duration.TotalMilliseconds : stopwatch.Elapsed.TotalMilliseconds;
            var result = new InducedGcResult(ts, durationMs, gc,
                before with { GcHeap = gc.HasDetails ? gc.HeapSizeBeforeBytes : null },
                after with
                {
                    GcHeap = gc.HasDetails ? gc.HeapSizeAfterBytes : null,
                    GcCommitted = gc.HasDetails && gc.CommittedBytes > 0 ? gc.CommittedBytes : after.GcCommitted,
                });
            _monitor.RecordEvent(new InducedGcEvent(result));
            return result;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Starts a snapshot in the background and returns its id, or null when another action is running.</summary>
    public string? TryStartSnapshot()
    {
        if (!_gate.Wait(0))
        {
            return null;
        }

        string id;
        lock (_lock)
        {
            id = "s" + (++_nextId).ToString(System.Globalization.CultureInfo.InvariantCulture);
            _running = new RunningSnapshot(id, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), "starting", 0, 0, 0);
            _lastProgressTicks = 0;
        }

        SnapshotTask = Task.Run(() => TakeSnapshotAsync(id));
        return id;
    }

    private async Task TakeSnapshotAsync(string id)
    {
        long requested = Running?.StartedTs ?? DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var stopwatch = Stopwatch.StartNew();
        SnapshotEntry entry;
        try
        {
            var snapshot = await _actions.SnapshotAsync(new ProgressSink(this, id, stopwatch), _lifetime.Token).ConfigureAwait(false);
            entry = SnapshotEntry.Taken(id, requested, stopwatch.Elapsed.TotalMilliseconds, snapshot);
        }
        catch (TargetActionException ex)
        {
            entry = SnapshotEntry.Failed(id, requested, stopwatch.Elapsed.TotalMilliseconds, ex.Message);
        }
        catch (OperationCanceledException) when (_lifetime.IsCancellationRequested)
        {
            entry = SnapshotEntry.Failed(id, requested, stopwatch.Elapsed.TotalMilliseconds, "The dashboard stopped before the snapshot ended.");
        }
#pragma warning disable CA1031 // A background action must never take the host down; its error is listed instead.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            entry = SnapshotEntry.Failed(id, requested, stopwatch.Elapsed.TotalMilliseconds, $"{ex.GetType().Name}: {ex.Message.Split('\n')[0].Trim()}");
        }

        lock (_lock)
        {
            _snapshots.AddLast(entry);
            while (_snapshots.Count > _maxSnapshots)
            {
                _snapshots.RemoveFirst();
            }

            _running = null;
        }

        _gate.Release();
        if (_lifetime.IsCancellationRequested)
        {
            return;
        }

        try
        {
            _monitor.RecordEvent(new SnapshotEvent(entry));
            _monitor.Hub.PublishSnapshot(w => Dashboard.SnapshotJson.WriteFrame(w, entry.Snapshot is null ? "failed" : "done", null, entry));
        }
#pragma warning disable CA1031 // As above.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }

    private void OnProgress(string id, SnapshotProgress p, TimeSpan elapsed)
    {
        RunningSnapshot running;
        lock (_lock)
        {
            if (_running is null || _running.Id != id)
            {
                return;
            }

            _running = running = _running with
            {
                Phase = string.IsNullOrEmpty(p.Phase) ? _running.Phase : p.Phase,
                Objects = p.Objects,
                Bytes = p.Bytes,
                ElapsedMs = (p.Elapsed > TimeSpan.Zero ? p.Elapsed : elapsed).TotalMilliseconds,
            };
            long now = Stopwatch.GetTimestamp();
            if (_lastProgressTicks != 0 && Stopwatch.GetElapsedTime(_lastProgressTicks, now) < ProgressInterval)
            {
                return;
            }

            _lastProgressTicks = now;
        }

        _monitor.Hub.PublishSnapshot(w => Dashboard.SnapshotJson.WriteFrame(w, "running", running, null));
    }

    /// <summary>RSS, PSS and GC committed as a fresh sample reads them; null where none was taken just now.</summary>
    private MemoryFigures Sample()
    {
        long since = MonotonicClock.NowUnixMs;
        _monitor.SampleNow();
        long? Latest(MetricDescriptor metric) =>
            _monitor.Store.TryGetLatest(metric, out long ts, out double v) && ts >= since ? (long)v : null;

        return new MemoryFigures(Latest(MetricCatalog.ProcessRss), Latest(MetricCatalog.ProcessPss), null, Latest(MetricCatalog.GcCommitted));
    }

    /// <summary>Cancels a running snapshot; the actions are disposed (when they are disposable) once it has ended.</summary>
    public void Dispose()
    {
        // The token source is not disposed: a snapshot ending on another thread may still read it.
        _lifetime.Cancel();
        if (_actions is IDisposable disposable)
        {
            SnapshotTask.ContinueWith(_ => disposable.Dispose(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    }

    /// <summary>Reports progress straight to the runner (not through a synchronisation context), in order.</summary>
    private sealed class ProgressSink(TargetActionRunner runner, string id, Stopwatch stopwatch) : IProgress<SnapshotProgress>
    {
        public void Report(SnapshotProgress value) => runner.OnProgress(id, value, stopwatch.Elapsed);
    }
}

/// <summary>Where the running snapshot is, as <c>api/snapshots</c> and the stream show it.</summary>
internal sealed record RunningSnapshot(string Id, long StartedTs, string Phase, long Objects, long Bytes, double ElapsedMs);
