using System.Diagnostics.Tracing;
using System.Globalization;
using MemLens.Events;
using MemLens.Metrics;
using Microsoft.Diagnostics.NETCore.Client;
using Microsoft.Diagnostics.Tracing;
using Microsoft.Diagnostics.Tracing.Analysis;
using Microsoft.Diagnostics.Tracing.Parsers;

namespace MemLens.Diagnostics.Attach;

/// <summary>
/// One EventPipe session on an attached .NET process: every GC (Microsoft-Windows-DotNETRuntime, GC keyword,
/// informational level) reconstructed by TraceEvent's GC analysis, and the runtime's <c>System.Runtime</c> meter
/// (MetricsEventSource). Events are parsed on a dedicated thread and handed out through <see cref="GcEnded"/>
/// and <see cref="ValuePublished"/>; the session ends when the process exits or on <see cref="Dispose"/>.
/// </summary>
public sealed class RuntimeEventSession : IDisposable
{
    private const string RuntimeProvider = "Microsoft-Windows-DotNETRuntime";
    private const string MetricsProvider = "System.Diagnostics.Metrics";

    // MetricsEventSource keywords: Messages (errors, limits) | TimeSeriesValues.
    private const long MetricsKeywords = 0x1 | 0x2;

    private readonly EventPipeSession _session;
    private readonly EventPipeEventSource _source;
    private readonly Thread _thread;
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly RuntimeMeterMapping _meter = new();
    private readonly string _sessionId;
    private volatile bool _acceptAnySession;
    private long _sessionStartUnixMs;
    private long _gcsSeen;
    private int _disposed;

    private RuntimeEventSession(int processId, EventPipeSession session, string sessionId)
    {
        ProcessId = processId;
        _session = session;
        _sessionId = sessionId;
        _source = new EventPipeEventSource(session.EventStream);
        _thread = new Thread(Run) { IsBackground = true, Name = $"memlens eventpipe {processId}" };
    }

    public int ProcessId { get; }

    /// <summary>Raised on the session's thread at the end of every GC, with the GC's figures.</summary>
    public event Action<GcEvent>? GcEnded;

    /// <summary>Raised on the session's thread for every meter value MemLens maps to one of its metrics.</summary>
    public event Action<MetricDescriptor, double>? ValuePublished;

    /// <summary>
    /// Raised on the session's thread when the runtime says something about the session people should know, e.g. that
    /// another tool's meter session is running and MemLens reads the values that session publishes.
    /// </summary>
    public event Action<string>? Notice;

    /// <summary>Completes when the event stream ends: the process exited, or the session was stopped. Faults when reading failed.</summary>
    public Task Completion => _completion.Task;

    /// <summary>Events the runtime reported as lost because its session buffer was full.</summary>
    public long EventsLost => _source.EventsLost;

    /// <summary>
    /// Connects to <paramref name="processId"/>'s diagnostic port and starts the session. Throws
    /// <see cref="MemLens.Actions.TargetActionException"/> with one line for people when that is not possible.
    /// Call <see cref="Start"/> after wiring the handlers.
    /// </summary>
    public static RuntimeEventSession Open(int processId, RuntimeSessionOptions? options = null)
    {
        options ??= new RuntimeSessionOptions();
        var client = DiagnosticPort.Connect(processId);
        string sessionId = "memlens-" + Guid.NewGuid().ToString("N")[..12];
        long keywords = (long)ClrTraceEventParser.Keywords.GC;
        if (options.InduceGc)
        {
            keywords |= (long)ClrTraceEventParser.Keywords.GCHeapCollect;
        }

        var providers = new List<EventPipeProvider> { new(RuntimeProvider, EventLevel.Informational, keywords) };
        if (!options.GcEventsOnly)
        {
            providers.Add(new EventPipeProvider(MetricsProvider, EventLevel.Informational, MetricsKeywords, new Dictionary<string, string>
            {
                ["SessionId"] = sessionId,
                ["Metrics"] = "System.Runtime",
                ["RefreshInterval"] = options.RefreshInterval.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture),
                ["MaxTimeSeries"] = "100",
                ["MaxHistograms"] = "0",
            }));
        }

        var session = DiagnosticPort.Call(processId, "start an EventPipe session", () =>
            client.StartEventPipeSession(new EventPipeSessionConfiguration(providers, options.BufferMegabytes, requestRundown: false, requestStackwalk: false)));
        return new RuntimeEventSession(processId, session, sessionId);
    }

    /// <summary>Starts reading events on the session's own thread.</summary>
    public void Start()
    {
        _source.NeedLoadedDotNetRuntimes();
        _source.AddCallbackOnProcessStart(process => process.AddCallbackOnDotNetRuntimeLoad(runtime =>
            runtime.GCEnd += (_, gc) => GcEnded?.Invoke(GcEventMapping.ToEvent(gc, SessionStartUnixMs() + (long)gc.StartRelativeMSec, _gcsSeen++ > 0))));
        _source.Dynamic.All += OnDynamicEvent;
        _thread.Start();
    }

    // The trace's start time is known once its header has been read, i.e. by the time any event arrives.
    private long SessionStartUnixMs()
    {
        if (_sessionStartUnixMs == 0)
        {
            _sessionStartUnixMs = new DateTimeOffset(_source.SessionStartTime.ToUniversalTime()).ToUnixTimeMilliseconds();
        }

        return _sessionStartUnixMs;
    }

    private void Run()
    {
        try
        {
            _source.Process();
            _completion.TrySetResult();
        }
#pragma warning disable CA1031 // Reported through Completion; the host decides what to say.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            if (Volatile.Read(ref _disposed) != 0 || ex is EndOfStreamException)
            {
                _completion.TrySetResult(); // the stream ends this way when the process exits or the session stops
            }
            else
            {
                _completion.TrySetException(ex);
            }
        }
    }

    private void OnDynamicEvent(TraceEvent e)
    {
        if (e.ProviderName != MetricsProvider)
        {
            return;
        }

        switch (e.EventName)
        {
            case "MultipleSessionsNotSupportedError":
            case "MultipleSessionsConfiguredIncorrectlyError":
                // The runtime's meter serves one aggregation at a time. Its values are absolute and reach every session,
                // so MemLens reads the running one's, at that session's pace.
                if (!_acceptAnySession)
                {
                    _acceptAnySession = true;
                    string other = e.PayloadByName("runningSessionId") as string ?? "?";
                    Notice?.Invoke($"another tool already reads the runtime's meter of PID {ProcessId} (session {other}); memlens uses the values it publishes, at its pace, and loses them if that tool stops.");
                }

                break;
            case "CounterRateValuePublished":
            case "UpDownCounterRateValuePublished":
            case "GaugeValuePublished":
                if ((!_acceptAnySession && e.PayloadByName("sessionId") as string != _sessionId) || e.PayloadByName("meterName") as string != "System.Runtime")
                {
                    return;
                }

                string instrument = e.PayloadByName("instrumentName") as string ?? "";
                string tags = e.PayloadByName("tags") as string ?? "";
                if (TryParseValue(e.PayloadByName("value"), out double value) || TryParseValue(e.PayloadByName("lastValue"), out value))
                {
                    _meter.Apply(instrument, tags, value, (metric, v) => ValuePublished?.Invoke(metric, v));
                }

                break;
        }
    }

    // MetricsEventSource sends values as strings formatted with the invariant culture; empty when there is none yet.
    private static bool TryParseValue(object? payload, out double value)
    {
        value = 0;
        return payload is string s && s.Length > 0 && double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
    }

    /// <summary>Stops the session (the runtime stops writing) and waits briefly for the reader to drain.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        try
        {
            _session.Stop();
        }
#pragma warning disable CA1031 // The process may be gone already; stopping is best effort.
        catch (Exception)
#pragma warning restore CA1031
        {
        }

        if (_thread.IsAlive)
        {
            _thread.Join(TimeSpan.FromSeconds(2));
        }

        _source.Dispose();
        _session.Dispose();
    }
}
