using MemLens.Actions;
using MemLens.AspNetCore.Actions;
using MemLens.AspNetCore.Dashboard;
using MemLens.AspNetCore.Streaming;
using MemLens.Events;
using MemLens.Procfs;
using MemLens.Runtime;
using MemLens.Sampling;
using MemLens.Storage;

namespace MemLens.AspNetCore;

/// <summary>
/// What a dashboard reads: a bounded store fed by a sampler over some sources, the live stream and the actions:
/// in-process the release action, for an attached process what its <see cref="ITargetActions"/> can do (full GC,
/// heap snapshots). One monitor can back several endpoints; it is created by <c>AddMemLens</c>, or by
/// <see cref="MemLensServer"/> and the <c>memlens</c> tool for another process.
/// </summary>
public sealed class MemLensMonitor : IDisposable
{
    private readonly Sampler _sampler;
    private readonly StreamHub _hub;
    private readonly List<Func<SinkStatus>> _sinks = [];
    private int _started;
    private bool _disposed;

    /// <summary>
    /// A monitor over the given store and sources (none is fine, e.g. to show a store filled elsewhere).
    /// The sources are disposed with the monitor. <paramref name="allowRelease"/> enables the release action,
    /// which acts on the current process, so it is honoured only for an in-process target.
    /// <paramref name="targetActions"/> (induced GC, heap snapshots of another process) is honoured only for a target
    /// that is not in-process; it is disposed with the monitor when it is disposable.
    /// </summary>
    public MemLensMonitor(MetricStore store, IEnumerable<IMetricSource> sources, MemLensTarget target, MemLensOptions options, bool allowRelease = false, ITargetActions? targetActions = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(sources);
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Store = store;
        Target = target;
        Options = options;
        Title = options.Title ?? $"{target.Name} (pid {target.ProcessId})";
        _sampler = new Sampler(store, sources);
        _hub = new StreamHub(this, options.MaxStreamClients, options.StreamQueueLength);
        _sampler.Sampled += _hub.OnSampled;
        _sampler.TargetExited += _ => _hub.PublishStatus();
        if (allowRelease && target.InProcess)
        {
            Release = new ReleaseAction();
        }

        if (targetActions is not null && !target.InProcess)
        {
            TargetActions = new TargetActionRunner(targetActions, this, options.MaxSnapshots);
        }
    }

    /// <summary>Monitors the current process: /proc, smaps_rollup, cgroup and the GC.</summary>
    public static MemLensMonitor ForCurrentProcess(MemLensOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var notes = new List<string>();
        List<IMetricSource> sources;
        try
        {
            sources = OpenProcfs(Environment.ProcessId, options, notes);
        }
#pragma warning disable CA1031 // In-process, MemLens must never take the host down: without /proc the GC view still works.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            sources = [];
            notes.Add($"Operating-system figures are not shown (/proc could not be read: {ex.Message}).");
        }

        sources.Add(new DotNetGcSource(options.SampleInterval));
        var monitor = new MemLensMonitor(NewStore(options), sources, MemLensTarget.Current(), options, options.EnableActions)
        {
            Facts = CurrentProcessFacts(),
        };
        monitor.Note(notes);
        return monitor;
    }

    /// <summary>
    /// Monitors another process from the outside through /proc and its cgroup. Throws
    /// <see cref="ProcessNotFoundException"/> or <see cref="ProcessAccessDeniedException"/> when it cannot be read.
    /// Extra sources (e.g. a runtime's own) can be added, and the actions the host can take on the process
    /// (<c>MemLens.Diagnostics.DotNetTargetActions</c> for a .NET process), which the dashboard then offers.
    /// </summary>
    public static MemLensMonitor ForProcess(MemLensTarget target, MemLensOptions options, IEnumerable<IMetricSource>? extraSources = null, ITargetActions? targetActions = null)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var notes = new List<string>();
        var sources = OpenProcfs(target.ProcessId, options, notes);
        if (extraSources is not null)
        {
            sources.AddRange(extraSources);
        }

        var monitor = new MemLensMonitor(NewStore(options), sources, target, options, allowRelease: false, targetActions);
        monitor.Note(notes);
        return monitor;
    }

    public MetricStore Store { get; }

    public MemLensTarget Target { get; }

    public MemLensOptions Options { get; }

    /// <summary>Title shown in the page.</summary>
    public string Title { get; }

    /// <summary>
    /// Facts about the process that the series do not carry (command line, runtime and version, GC mode, GODEBUG,
    /// MALLOC_* and DOTNET_GC* settings; keys as in docs/recording.md), for the doctor, the page and recordings.
    /// Set before serving. Default: none.
    /// </summary>
    public IReadOnlyDictionary<string, string> Facts { get; set; } = new Dictionary<string, string>();

    /// <summary>False when the store shows a recording or a replay rather than a process being watched now. Default: true.</summary>
    public bool Live { get; set; } = true;

    public TimeSpan SampleInterval => Options.SampleInterval;

    /// <summary>Each source's state, for the status strip.</summary>
    public IReadOnlyList<SourceStatus> Statuses => _sampler.Statuses;

    /// <summary>
    /// Adds what <c>api/status</c> reports as a sink's state (read at each status request, so it must be cheap and
    /// must not throw): the recorder's, so that a recording paused on a full disk shows on the dashboard.
    /// </summary>
    public void AddSinkStatus(Func<SinkStatus> read)
    {
        ArgumentNullException.ThrowIfNull(read);
        lock (_sinks)
        {
            _sinks.Add(read);
        }
    }

    /// <summary>The sinks' states, as added with <see cref="AddSinkStatus"/>.</summary>
    public IReadOnlyList<SinkStatus> SinkStatuses
    {
        get
        {
            lock (_sinks)
            {
                return _sinks.Select(read => read()).ToArray();
            }
        }
    }

    /// <summary>True once the watched process has exited.</summary>
    public bool TargetExited => _sampler.TargetHasExited;

    /// <summary>Raised once when the watched process exits.</summary>
    public event Action? Exited;

    internal StreamHub Hub => _hub;

    internal ReleaseAction? Release { get; }

    /// <summary>The doctor's answers for <c>api/findings</c>, kept a few seconds per range.</summary>
    internal FindingsCache Findings { get; } = new();

    /// <summary>Induced GC and heap snapshots of an attached process; null when the host cannot act on it.</summary>
    internal TargetActionRunner? TargetActions { get; }

    /// <summary>Starts sampling; later calls do nothing.</summary>
    public void Start()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (Interlocked.Exchange(ref _started, 1) == 0)
        {
            _sampler.TargetExited += _ => Exited?.Invoke();
            _sampler.Start();
        }
    }

    /// <summary>Takes a sample now (e.g. right after an action), outside the schedule.</summary>
    public void SampleNow() => _sampler.SampleNow(force: true);

    /// <summary>Keeps an event beside the series and sends it to live clients.</summary>
    public void RecordEvent(MemEvent memEvent)
    {
        ArgumentNullException.ThrowIfNull(memEvent);
        Store.AddEvent(memEvent);
        _hub.PublishEvent(memEvent);
    }

    /// <summary>Unix ms of the oldest value in the store, or null when it is empty.</summary>
    public long? FirstSampleMs()
    {
        long? first = null;
        foreach (var metric in Store.Metrics)
        {
            if (Store.TryGetFirst(metric, out long ts, out _) && (first is null || ts < first))
            {
                first = ts;
            }
        }

        return first;
    }

    /// <summary>Unix ms of the newest value in the store, or null when it is empty.</summary>
    public long? LastSampleMs()
    {
        long? last = null;
        foreach (var metric in Store.Metrics)
        {
            if (Store.TryGetLatest(metric, out long ts, out _) && (last is null || ts > last))
            {
                last = ts;
            }
        }

        return last;
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        TargetActions?.Dispose();
        _sampler.Dispose();
        _hub.Dispose();
    }

    // What /proc says, and what only the runtime itself knows exactly: its version and GC mode.
    private static Dictionary<string, string> CurrentProcessFacts()
    {
        var facts = ProcessFacts.Read(Environment.ProcessId);
        facts["target.runtime"] = "dotnet";
        facts["target.runtime_version"] = Environment.Version.ToString();
        facts["dotnet.gc.server"] = System.Runtime.GCSettings.IsServerGC ? "true" : "false";
        facts["dotnet.gc.concurrent"] = System.Runtime.GCSettings.LatencyMode != System.Runtime.GCLatencyMode.Batch ? "true" : "false";
        facts["dotnet.gc.latency_mode"] = System.Runtime.GCSettings.LatencyMode.ToString();
        return facts;
    }

    private static MetricStore NewStore(MemLensOptions options) => new(new MetricStoreOptions
    {
        MemoryBudgetBytes = options.HistoryBudgetBytes,
        MaxEvents = options.MaxEvents,
    });

    private static List<IMetricSource> OpenProcfs(int pid, MemLensOptions options, List<string> notes)
    {
        var sources = ProcessSources.Open(pid, options.SampleInterval, notes).ToList();
        if (!options.ReadSmapsRollup)
        {
            foreach (var smaps in sources.OfType<SmapsRollupSource>().ToArray())
            {
                sources.Remove(smaps);
                smaps.Dispose();
            }
        }

        return sources;
    }

    private void Note(IEnumerable<string> notes)
    {
        long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        foreach (string note in notes)
        {
            Store.AddEvent(new NoteEvent(now, "source.unavailable", note));
        }
    }
}
