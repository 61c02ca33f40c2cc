using System.Diagnostics;
using System.Diagnostics.Tracing;
using System.Globalization;
using MemLens.Actions;
using MemLens.Snapshots;
using Microsoft.Diagnostics.NETCore.Client;
using Microsoft.Diagnostics.Tracing;
using Microsoft.Diagnostics.Tracing.Parsers;
using Microsoft.Diagnostics.Tracing.Parsers.Clr;

namespace MemLens.Diagnostics.Snapshots;

/// <summary>
/// Takes a snapshot of a live .NET process's GC heap over EventPipe, the way dotnet-gcdump does: an
/// EventPipe session with the runtime provider's heap-snapshot keywords makes the runtime induce a blocking
/// gen2 GC and, during it, describe every live object (GCBulkNode: size and type id) and the types it meets
/// (GCBulkType: id and name). The session is stopped as soon as that GC ends.
/// </summary>
/// <remarks>
/// Keywords: GC (0x1, GCStart/GCEnd), Type (0x80000, type events), GCHeapDump (0x100000, the walk),
/// GCHeapCollect (0x800000, asks the runtime to induce the GC when the session starts), GCHeapAndTypeNames
/// (0x1000000, names in GCBulkType) — together <see cref="ClrTraceEventParser.Keywords.GCHeapSnapshot"/>
/// — at level Verbose, which the bulk events need.
/// With <see cref="HeapSnapshotOptions.CaptureGraph"/> the walk's references (GCBulkEdge), roots (GCBulkRootEdge),
/// named statics (GCBulkRootStaticVar) and ConditionalWeakTable elements are kept too (<see cref="GraphCapture"/>);
/// after the walk the process's static fields are read (<see cref="StaticFieldReader"/>) and the graph is analysed
/// into <see cref="HeapSnapshot.Retention"/>, then dropped. Progress phases: <c>connecting</c>, <c>walking heap</c>,
/// <c>reading types</c>, <c>naming static fields</c>, <c>analysing</c>, <c>done</c>.
/// </remarks>
public sealed class HeapSnapshotter
{
    private const string RuntimeProvider = "Microsoft-Windows-DotNETRuntime";

    // Everything of GCHeapSnapshot but GCHeapCollect, which a second session enables to start the walk (InduceWalkAsync).
    private const long WalkKeywords = (long)(ClrTraceEventParser.Keywords.GCHeapSnapshot & ~ClrTraceEventParser.Keywords.GCHeapCollect);
    private static readonly TimeSpan s_stopGrace = TimeSpan.FromSeconds(10);

    private readonly HeapSnapshotOptions _options;
    private readonly TypeNameCache? _knownNames;

    /// <param name="options">Limits. Default: <see cref="HeapSnapshotOptions"/>'s defaults.</param>
    /// <param name="knownNames">
    /// Names learned from earlier walks of the same process, used for types this walk sends no name for (see
    /// <see cref="TypeNameCache"/>), and filled with the names this walk learns. Null: this walk's names only.
    /// </param>
    public HeapSnapshotter(HeapSnapshotOptions? options = null, TypeNameCache? knownNames = null)
    {
        _options = options ?? new HeapSnapshotOptions();
        _options.Validate();
        _knownNames = knownNames;
    }

    /// <summary>
    /// Snapshots process <paramref name="processId"/>. Failures before any object was seen throw
    /// <see cref="TargetActionException"/> with one line (its inner exception tells the kind: not found, access
    /// denied, exited); a walk cut short after objects were seen is returned partial, with the reason.
    /// </summary>
    public async Task<HeapSnapshotResult> TakeAsync(int processId, IProgress<SnapshotProgress>? progress, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        long requestedAtMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        progress?.Report(new SnapshotProgress("connecting", 0, 0, clock.Elapsed));
        var target = TargetCheck.Require(processId);
        using var snapshotLock = SnapshotLock.Acquire(processId);

        using var timeout = new CancellationTokenSource(_options.Timeout);
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        EventPipeSession session;
        try
        {
            var providers = new[]
            {
                new EventPipeProvider(RuntimeProvider, EventLevel.Verbose, WalkKeywords),
            };
            session = await new DiagnosticsClient(processId).StartEventPipeSessionAsync(providers, requestRundown: false, _options.BufferSizeMiB, stopping.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            throw new TargetActionException($"process {processId} did not accept an EventPipe session within {_options.Timeout.TotalSeconds:0} s", TargetActionFailure.Timeout);
        }
        catch (Exception ex) when (ex is DiagnosticsClientException or IOException or UnauthorizedAccessException or TimeoutException or System.Net.Sockets.SocketException or PlatformNotSupportedException)
        {
            throw TargetCheck.ConnectFailed(processId, ex);
        }

        using (session)
        {
            var walk = new HeapWalk(processId, session, _options, progress, clock, _knownNames);
            var reader = Task.Factory.StartNew(walk.Read, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
            using (stopping.Token.Register(() => walk.RequestStop(cancellationToken.IsCancellationRequested ? SnapshotStop.Cancelled : SnapshotStop.TimedOut)))
            {
                await InduceWalkAsync(processId, walk, stopping.Token).ConfigureAwait(false);

                // The walk normally ends with its GC's GCEnd. When the runtime dropped events that one can be among them:
                // a walk that sent nothing for IdleLimit after it started is over (the runtime is suspended while it
                // walks, so the events never pause for long), rather than waiting for the timeout.
                while (!reader.IsCompleted)
                {
                    await Task.WhenAny(reader, Task.Delay(TimeSpan.FromMilliseconds(250), CancellationToken.None)).ConfigureAwait(false);
                    if (!reader.IsCompleted && walk.IdleFor(clock.Elapsed) >= _options.IdleLimit)
                    {
                        walk.RequestStop(SnapshotStop.Idle);
                    }
                }

                await reader.ConfigureAwait(false);
            }

            var stop = walk.Outcome();
            if (walk.Histogram.Objects == 0 && stop != SnapshotStop.Completed)
            {
                cancellationToken.ThrowIfCancellationRequested();
                throw stop switch
                {
                    SnapshotStop.TimedOut => new TargetActionException(
                        $"process {processId} sent no heap walk within {Durations(_options.Timeout)}; it may be hung or its GC suspended", TargetActionFailure.Timeout),
                    _ => TargetCheck.IsAlive(processId)
                        ? new TargetActionException($"process {processId} closed the event stream before the heap walk ({walk.ReadError ?? "no GC seen"})")
                        : TargetCheck.Exited(processId, $"process {processId} exited during the snapshot, before any object was walked"),
                };
            }

            var types = walk.Histogram.ToTypeStats();
            var (retention, graphReport, graphNote) = await AnalyseAsync(processId, walk, progress, clock).ConfigureAwait(false);
            progress?.Report(new SnapshotProgress("done", walk.Histogram.Objects, walk.Histogram.Bytes, clock.Elapsed));
            var snapshot = new HeapSnapshot(processId, target.Name, walk.WalkStartedAtMs ?? requestedAtMs, types)
            {
                Duration = clock.Elapsed,
                GcIndex = walk.GcIndex ?? 0,
                RuntimeVersion = target.RuntimeVersion,
                Truncated = stop != SnapshotStop.Completed || graphReport?.Losses.Truncated == true,
                EventsLost = walk.EventsLost,
                Note = Join(Note(stop, processId, walk), graphNote),
                Retention = retention,
            };
            return new HeapSnapshotResult(snapshot, stop) { Graph = graphReport };
        }
    }

    /// <summary>
    /// Starts a second, empty session that enables only GCHeapCollect: the runtime induces the walk's GC while it
    /// starts that session, and answers the request only after the walk. The walk's events go to the first session,
    /// whose stream is already being read, so they leave the target while the walk runs instead of piling up in its
    /// buffer until the request is answered (what happens when one session both asks for the GC and carries the walk).
    /// </summary>
    private static async Task InduceWalkAsync(int processId, HeapWalk walk, CancellationToken cancellationToken)
    {
        try
        {
            var trigger = await new DiagnosticsClient(processId).StartEventPipeSessionAsync(
                [new EventPipeProvider(RuntimeProvider, EventLevel.Informational, (long)ClrTraceEventParser.Keywords.GCHeapCollect)],
                requestRundown: false, circularBufferMB: 1, cancellationToken).ConfigureAwait(false);
            using (trigger)
            {
                _ = Task.Run(async () =>
                {
                    try
                    {
                        await trigger.EventStream.CopyToAsync(Stream.Null).ConfigureAwait(false); // its few events, so the stop is not held up
                    }
                    catch (Exception ex) when (ex is IOException or ObjectDisposedException or System.Net.Sockets.SocketException)
                    {
                        // Closed under the copy when the session is disposed.
                    }
                }, CancellationToken.None);
                using var cts = new CancellationTokenSource(s_stopGrace);
                await trigger.StopAsync(cts.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            // Cancelled or timed out: the walk's stop request says which.
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The target exited or refused the second session: the walk's own stream then ends too.
            walk.TriggerFailed(TargetCheck.OneLine(ex.Message));
        }
    }

    /// <summary>
    /// After the walk: reads the process's static fields (when allowed), then builds the graph and analyses it. The
    /// graph is dropped before this returns; the snapshot keeps only the retention tree.
    /// </summary>
    private async Task<(HeapRetention? Retention, GraphReport? Report, string? Note)> AnalyseAsync(int processId, HeapWalk walk, IProgress<SnapshotProgress>? progress, Stopwatch clock)
    {
        if (walk.Graph is not { } capture || walk.Histogram.Objects == 0)
        {
            return (null, null, null);
        }

        if (walk.EventsLost > 0)
        {
            // A lost block of nodes or references shifts every later reference onto the wrong object (they carry no
            // source, only their place in the sequence), so a graph from such a walk would name wrong holders.
            walk.Graph = null;
            return (null, null, "no retention analysis: references are matched to objects by their order in the walk, which lost events breaks");
        }

        StaticFieldReader.Result? read = null;
        if (_options.NameStaticFields)
        {
            progress?.Report(new SnapshotProgress("naming static fields", walk.Histogram.Objects, walk.Histogram.Bytes, clock.Elapsed));
            // Bounded from outside too: an attach that never returns (seen intermittently in the tests: ptrace's wait
            // for a thread of the target, not yet understood) must not hold the snapshot. The stuck read is abandoned.
            var reading = Task.Run(() => StaticFieldReader.Read(processId, _options.MaxStaticFields, _options.StaticFieldTimeLimit));
            var limit = _options.StaticFieldTimeLimit + TimeSpan.FromSeconds(5);
            if (await Task.WhenAny(reading, Task.Delay(limit)).ConfigureAwait(false) == reading)
            {
                read = await reading.ConfigureAwait(false);
            }
            else
            {
                read = new StaticFieldReader.Result([], 0, 0, $"attaching to the process did not finish within {Durations(limit)}", limit);
            }

            foreach (var (slot, value, label) in read.Fields)
            {
                capture.AddNamedStatic(slot, value, label);
            }
        }

        progress?.Report(new SnapshotProgress("analysing", walk.Histogram.Objects, walk.Histogram.Bytes, clock.Elapsed));
        var started = clock.Elapsed;
        var (retention, report) = await Task.Run(() =>
        {
            // The graph stays inside this lambda (not hoisted into the async method's state), so it is garbage below.
            var (retention, graph) = capture.Analyse(walk.Histogram.NameOf, _options.MaxRetentionNodes);
            return (retention, new GraphReport(
                graph.NodeCount, graph.EdgeCount, graph.RootCount, graph.Losses, graph.Statics, capture.WeakHandlesSkipped,
                read?.Fields.Count ?? 0, read?.OverLimit ?? 0, read?.Error, read?.Elapsed ?? TimeSpan.Zero, clock.Elapsed - started));
        }).ConfigureAwait(false);
        walk.Graph = null;

        // The analysis's managed arrays (the graph's, the dominators', the retained sizes': ~35 B per object) are
        // garbage now, but a plain collection leaves their memory committed, so each snapshot of a long-lived tool
        // started from where the last one peaked (measured, 3 snapshots of 10 M objects in one process: 426 MiB
        // resident after the first, 763 after the second). An aggressive collection compacts what is left (the
        // histogram and the retention tree) and gives the rest back to the system. Not when the process snapshots
        // itself (MemLens inside a service): there it would compact the service's whole heap a second time, a pause
        // that grows with the service, for garbage the service's own GCs will reclaim.
        if (processId != Environment.ProcessId)
        {
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        }
        return (retention, report, GraphNote(report, capture.NamesOverLimit));
    }

    private string? GraphNote(GraphReport report, long namesOverLimit)
    {
        string? note = null;
        var l = report.Losses;
        if (l.Truncated || namesOverLimit > 0)
        {
            note = Join(note, "the object graph is incomplete: " + string.Join(", ", new[]
            {
                Count(l.NodesOverLimit, $"objects over the limit of {_options.MaxGraphNodes.ToString("N0", CultureInfo.InvariantCulture)}"),
                Count(l.EdgesOverLimit, $"references over the limit of {_options.MaxGraphEdges.ToString("N0", CultureInfo.InvariantCulture)}"),
                Count(l.RootsOverLimit + namesOverLimit, $"roots over the limit of {_options.MaxGraphRoots.ToString("N0", CultureInfo.InvariantCulture)}"),
                Count(l.MissingEdges, "references announced but not sent"),
                Count(l.SurplusEdges, "references without an object"),
            }.Where(x => x is not null)) + "; retained sizes are too low");
        }

        if (report.StaticNamingError is { } error)
        {
            note = Join(note, $"static fields are not named (could not read them from the process: {error}); they show as the runtime's pinned handle → System.Object[]");
        }
        else if (report.StaticFieldsOverLimit > 0)
        {
            note = Join(note, $"{report.StaticFieldsOverLimit.ToString("N0", CultureInfo.InvariantCulture)} static fields were not named (over the limit of " +
                $"{_options.MaxStaticFields.ToString("N0", CultureInfo.InvariantCulture)} fields or {Durations(_options.StaticFieldTimeLimit)})");
        }

        if (report.Statics.Skipped > 0)
        {
            string why = l.Truncated ? "changed since the walk, or their objects are beyond the graph's limits" : "they changed between the walk and reading them";
            note = Join(note, $"{report.Statics.Skipped.ToString("N0", CultureInfo.InvariantCulture)} static fields are not named ({why})");
        }

        return note;
    }

    private static string? Count(long n, string what) => n > 0 ? $"{n.ToString("N0", CultureInfo.InvariantCulture)} {what}" : null;

    private static string? Join(string? a, string? b) => a is null ? b : b is null ? a : a + "; " + b;

    private string? Note(SnapshotStop stop, int pid, HeapWalk walk)
    {
        string? note = stop switch
        {
            SnapshotStop.ObjectLimit => $"stopped at the object limit ({_options.MaxObjects.ToString("N0", CultureInfo.InvariantCulture)} objects); the rest of the heap was not counted",
            SnapshotStop.TargetExited => $"process {pid} exited during the heap walk; only the objects walked until then are counted",
            SnapshotStop.TimedOut => $"the heap walk did not end within {Durations(_options.Timeout)}; only the objects walked until then are counted",
            SnapshotStop.Cancelled => "cancelled during the heap walk; only the objects walked until then are counted",
            SnapshotStop.Idle => $"the heap walk sent nothing for {Durations(_options.IdleLimit)} and did not say it ended; only the objects walked until then are counted",
            _ => null,
        };
        if (walk.Histogram.UnnamedTypes > 0)
        {
            string unnamed = $"{walk.Histogram.UnnamedTypes.ToString(CultureInfo.InvariantCulture)} types are shown by id: the runtime named them to an earlier heap walk " +
                "while another session kept its events on (take repeated snapshots from one memlens, e.g. the dashboard, which remembers names)";
            note = note is null ? unnamed : note + "; " + unnamed;
        }

        if (walk.EventsLost > 0)
        {
            // First: it is what a reader must know before anything else.
            string lost = $"incomplete: the runtime dropped {walk.EventsLost.ToString("N0", CultureInfo.InvariantCulture)} events of the heap walk " +
                $"(the {_options.BufferSizeMiB.ToString(CultureInfo.InvariantCulture)} MiB event buffer in the target filled faster than it was read), " +
                "so objects are missing and the counts are too low";
            note = note is null ? lost : lost + "; " + note;
        }

        return note;
    }

    private static string Durations(TimeSpan t) => MemLens.Formatting.Durations.Format(t);

    /// <summary>Reads one session's events on a dedicated thread (TraceEvent's Process() blocks) and decides when to stop.</summary>
    private sealed class HeapWalk(int processId, EventPipeSession session, HeapSnapshotOptions options, IProgress<SnapshotProgress>? progress, Stopwatch clock, TypeNameCache? knownNames)
    {
        private readonly object _gate = new();
        private SnapshotStop? _stopReason;
        private bool _gcEnded;
        private bool _streamEnded;
        private bool _stopRequested;
        private TimeSpan _lastProgress;

        // Stopwatch time of the last event of the walk (0: the walk has not started), read by the idle check.
        private long _lastEventTicks;

        public TypeHistogram Histogram { get; } = new(knownNames);

        /// <summary>The object graph while it is read; null when the graph is not captured, or once analysed.</summary>
        public GraphCapture? Graph { get; set; } = options.CaptureGraph ? new GraphCapture(options) : null;

        public long? GcIndex { get; private set; }

        public long? WalkStartedAtMs { get; private set; }

        // The last blocking gen2 GC that started before any heap node arrived: the walk's GC, once nodes come.
        private long? _candidate;
        private long? _candidateStartedAtMs;

        public int EventsLost { get; private set; }

        public string? ReadError { get; private set; }

        public void Read()
        {
            try
            {
                using var source = new EventPipeEventSource(session.EventStream);
                var clr = new ClrTraceEventParser(source);
                clr.GCStart += OnGcStart;
                clr.GCStop += OnGcStop;
                clr.TypeBulkType += OnBulkType;
                clr.GCBulkNode += OnBulkNode;
                if (Graph is not null)
                {
                    clr.GCBulkEdge += OnBulkEdge;
                    clr.GCBulkRootEdge += OnBulkRootEdge;
                    clr.GCBulkRootStaticVar += OnBulkRootStaticVar;
                    clr.GCBulkRootConditionalWeakTableElementEdge += OnBulkDependentHandle;
                }

                source.Process();
                EventsLost = source.EventsLost;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // A stream cut in the middle of a block (the target died, or the session was disposed to unblock):
                // TraceEvent reports that with several exception types. What was read until then is kept.
                ReadError = TargetCheck.OneLine(ex.Message);
            }
            finally
            {
                lock (_gate)
                {
                    _streamEnded = true;
                }
            }
        }

        /// <summary>How long the walk has sent nothing, or zero while it has not started.</summary>
        public TimeSpan IdleFor(TimeSpan now)
        {
            long last = Interlocked.Read(ref _lastEventTicks);
            return last == 0 ? TimeSpan.Zero : now - TimeSpan.FromTicks(last);
        }

        public SnapshotStop Outcome()
        {
            lock (_gate)
            {
                if (_stopReason is { } reason)
                {
                    return reason;
                }

                if (_gcEnded)
                {
                    return EventsLost > 0 ? SnapshotStop.EventsLost : SnapshotStop.Completed;
                }

                return SnapshotStop.TargetExited;
            }
        }

        public void TriggerFailed(string error)
        {
            ReadError ??= "could not start the heap walk: " + error;
            RequestStop(SnapshotStop.TargetExited);
        }

        /// <summary>
        /// Ends the session once: the runtime flushes what it buffered and closes the stream, which ends Read.
        /// <paramref name="reason"/> is kept unless the walk's GC already ended (then the snapshot is complete).
        /// </summary>
        public void RequestStop(SnapshotStop reason)
        {
            lock (_gate)
            {
                if (reason != SnapshotStop.Completed && !_gcEnded && _stopReason is null)
                {
                    _stopReason = reason;
                }

                if (_stopRequested || _streamEnded)
                {
                    return;
                }

                _stopRequested = true;
            }

            // Not on the reading thread: the runtime may need it to drain the stream before it acknowledges the stop.
            _ = Task.Run(async () =>
            {
                try
                {
                    using var cts = new CancellationTokenSource(s_stopGrace);
                    await session.StopAsync(cts.Token).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    // The target may already be gone; the stream ends either way, or is cut below.
                }

                await Task.Delay(s_stopGrace).ConfigureAwait(false);
                bool ended;
                lock (_gate)
                {
                    ended = _streamEnded;
                }

                if (!ended)
                {
                    session.Dispose(); // a target that does not close its stream: cut it, Read ends with an error.
                }
            });
        }

        private void OnGcStart(GCStartTraceData data)
        {
            // The induced walk is a blocking (non-concurrent) gen2 GC. The program may run one of its own just as the
            // session starts (under memory pressure, or a GC.Collect), so a candidate becomes the walk only when heap
            // nodes arrive inside it (OnBulkNode); a blocking gen2 that ends without any is not the walk.
            if (GcIndex is null && data.Depth == 2 && data.Type == GCType.NonConcurrentGC && data.ProcessID == processId)
            {
                _candidate = data.Count;
                _candidateStartedAtMs = new DateTimeOffset(data.TimeStamp.ToUniversalTime()).ToUnixTimeMilliseconds();
            }
        }

        private void OnGcStop(GCEndTraceData data)
        {
            if (GcIndex is { } index && data.Count == index)
            {
                lock (_gate)
                {
                    if (_stopReason is null)
                    {
                        _gcEnded = true;
                    }
                }

                progress?.Report(new SnapshotProgress("reading types", Histogram.Objects, Histogram.Bytes, clock.Elapsed));
                RequestStop(SnapshotStop.Completed);
            }
        }

        private void OnBulkType(GCBulkTypeTraceData data)
        {
            if (GcIndex is not null)
            {
                Interlocked.Exchange(ref _lastEventTicks, clock.Elapsed.Ticks);
            }

            for (int i = 0; i < data.Count; i++)
            {
                var value = data.Values(i);
                Histogram.AddTypeName(value.TypeID, value.TypeName);
            }
        }

        // The walk's references, in node order (see HeapGraphBuilder), and its roots. Only while this walk runs: the
        // histogram's object limit stops the nodes, and the references after it then have no node (counted as over the limit).
        private void OnBulkEdge(GCBulkEdgeTraceData data)
        {
            // Not gated on the walk having started (GcIndex): on a large heap the first block of references can come
            // before the first block of nodes (measured: 5,354 references lost that way on a 1 M-object heap).
            if (Graph is not { } graph)
            {
                return;
            }

            if (GcIndex is not null)
            {
                Interlocked.Exchange(ref _lastEventTicks, clock.Elapsed.Ticks);
            }

            for (int i = 0; i < data.Count; i++)
            {
                graph.AddEdgeTarget(data.Values(i).Target);
            }
        }

        private void OnBulkRootEdge(GCBulkRootEdgeTraceData data)
        {
            if (Graph is not { } graph)
            {
                return;
            }

            for (int i = 0; i < data.Count; i++)
            {
                var value = data.Values(i);
                graph.AddRoot(value.RootedNodeAddress, value.GCRootKind, value.GCRootFlag);
            }
        }

        private void OnBulkRootStaticVar(GCBulkRootStaticVarTraceData data)
        {
            if (Graph is not { } graph)
            {
                return;
            }

            for (int i = 0; i < data.Count; i++)
            {
                var value = data.Values(i);
                graph.AddWalkStatic(value.GCRootID, value.ObjectID, value.TypeID, value.FieldName, (value.Flags & GCRootStaticVarFlags.ThreadLocal) != 0);
            }
        }

        private void OnBulkDependentHandle(GCBulkRootConditionalWeakTableElementEdgeTraceData data)
        {
            if (Graph is not { } graph)
            {
                return;
            }

            for (int i = 0; i < data.Count; i++)
            {
                var value = data.Values(i);
                graph.AddDependentHandle(value.GCKeyNodeID, value.GCValueNodeID);
            }
        }

        private void OnBulkNode(GCBulkNodeTraceData data)
        {
            if (GcIndex is null && _candidate is { } candidate)
            {
                GcIndex = candidate;
                WalkStartedAtMs = _candidateStartedAtMs;
            }

            var now = clock.Elapsed;
            Interlocked.Exchange(ref _lastEventTicks, now.Ticks);
            if (Histogram.Objects >= options.MaxObjects)
            {
                return; // already stopping; the types still coming are read so that names resolve
            }

            var graph = Graph;
            for (int i = 0; i < data.Count; i++)
            {
                var value = data.Values(i);
                Histogram.AddObject(value.TypeID, (long)value.Size);
                graph?.AddNode(value.Address, (long)value.Size, value.TypeID, (int)Math.Min(value.EdgeCount, int.MaxValue));
                if (Histogram.Objects >= options.MaxObjects)
                {
                    RequestStop(SnapshotStop.ObjectLimit);
                    break;
                }
            }

            // The first report comes with the first objects: "walking heap" means objects are being counted.
            if (progress is not null && (_lastProgress == TimeSpan.Zero || now - _lastProgress >= options.ProgressInterval))
            {
                _lastProgress = now;
                progress.Report(new SnapshotProgress("walking heap", Histogram.Objects, Histogram.Bytes, now));
            }
        }
    }
}
