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
/// The runtime's view of an attached .NET process over EventPipe: every GC (Microsoft-Windows-DotNETRuntime, GC
/// keyword, informational level) rebuilt by TraceEvent's GC analysis, and the runtime's <c>System.Runtime</c> meter
/// (MetricsEventSource). Handed out through <see cref="GcEnded"/> and <see cref="ValuePublished"/>, raised on the
/// sessions' own threads; it ends when the process exits or on <see cref="Dispose"/>.
/// </summary>
/// <remarks>
/// Two sessions: one for GC events and one for the meter, so that a meter that cannot be read (another tool holds
/// its one aggregation with other settings) never costs the GC events.
/// </remarks>
public sealed class RuntimeEventSession : IDisposable
{
    private const string RuntimeProvider = "Microsoft-Windows-DotNETRuntime";
    private const string MetricsProvider = "System.Diagnostics.Metrics";

    // MetricsEventSource keywords: Messages (errors, limits) | TimeSeriesValues.
    private const long MetricsKeywords = 0x1 | 0x2;

    private readonly DiagnosticsClient _client;
    private readonly RuntimeSessionOptions _options;
    private readonly PipeReader _gc;
    private readonly RuntimeMeterMapping _meterMapping = new();
    private readonly object _meterLock = new();
    private PipeReader? _meter;
    private string _meterSessionId = "";
    private volatile bool _acceptAnySession;
    private long _sessionStartUnixMs;
    private long _gcsSeen;
    private int _disposed;

    private RuntimeEventSession(int processId, DiagnosticsClient client, RuntimeSessionOptions options, PipeReader gc)
    {
        ProcessId = processId;
        _client = client;
        _options = options;
        _gc = gc;
    }

    public int ProcessId { get; }

    /// <summary>Raised on the GC session's thread at the end of every GC, with the GC's figures.</summary>
    public event Action<GcEvent>? GcEnded;

    /// <summary>Raised on the meter session's thread for every meter value MemLens maps to one of its metrics.</summary>
    public event Action<MetricDescriptor, double>? ValuePublished;

    /// <summary>
    /// Raised when something about the sessions should be said to people, e.g. that another tool's meter session is
    /// running and MemLens reads the values that session publishes.
    /// </summary>
    public event Action<string>? Notice;

    /// <summary>Completes when the GC events end: the process exited, or the session was stopped. Faults when reading failed.</summary>
    public Task Completion => _gc.Completion;

    /// <summary>GC events the runtime reported as lost because the session's buffer was full.</summary>
    public long EventsLost => _gc.Source.EventsLost;

    /// <summary>
    /// Connects to <paramref name="processId"/>'s diagnostic port and starts the GC session (and, unless
    /// <see cref="RuntimeSessionOptions.GcEventsOnly"/>, the meter's). Throws <see cref="MemLens.Actions.TargetActionException"/>
    /// with one line for people when that is not possible. Call <see cref="Start"/> after wiring the handlers.
    /// </summary>
    public static RuntimeEventSession Open(int processId, RuntimeSessionOptions? options = null)
    {
        options ??= new RuntimeSessionOptions();
        var client = DiagnosticPort.Connect(processId);
        long keywords = (long)ClrTraceEventParser.Keywords.GC;
        if (options.InduceGc)
        {
            keywords |= (long)ClrTraceEventParser.Keywords.GCHeapCollect;
        }

        var providers = new[] { new EventPipeProvider(RuntimeProvider, EventLevel.Informational, keywords) };
        var gc = DiagnosticPort.Call(processId, "start an EventPipe session", () => new PipeReader(processId,
            client.StartEventPipeSession(new EventPipeSessionConfiguration(providers, options.BufferMegabytes, requestRundown: false, requestStackwalk: false)),
            "gc events"));
        var session = new RuntimeEventSession(processId, client, options, gc);
        if (!options.GcEventsOnly)
        {
            try
            {
                session.Counters = ChooseCounters(processId, options.Counters);
                if (session.Counters == RuntimeCounters.Meter)
                {
                    session.OpenMeter(options.RefreshInterval);
                }
                else
                {
                    session.OpenEventCounters(options.RefreshInterval);
                }
            }
            catch
            {
                session.Dispose();
                throw;
            }
        }

        return session;
    }

    /// <summary>Starts reading events on the sessions' own threads.</summary>
    public void Start()
    {
        var source = _gc.Source;
        source.NeedLoadedDotNetRuntimes();
        source.AddCallbackOnProcessStart(process => process.AddCallbackOnDotNetRuntimeLoad(runtime =>
            runtime.GCEnd += (_, gc) => GcEnded?.Invoke(GcEventMapping.ToEvent(gc, SessionStartUnixMs() + (long)gc.StartRelativeMSec, _gcsSeen++ > 0))));
        _gc.Start();
        lock (_meterLock)
        {
            _meter?.Start();
        }
    }

    /// <summary>Where this session reads the periodic figures from (after <see cref="RuntimeCounters.Auto"/> was resolved).</summary>
    public RuntimeCounters Counters { get; private set; } = RuntimeCounters.Meter;

    // The System.Runtime meter exists from .NET 9; a runtime whose version cannot be read (self-contained apps carry
    // libcoreclr.so in their own folder) is taken to be current.
    private static RuntimeCounters ChooseCounters(int processId, RuntimeCounters wanted)
    {
        if (wanted != RuntimeCounters.Auto)
        {
            return wanted;
        }

        var info = MemLens.Procfs.ProcessTable.Read(processId, new MemLens.Procfs.ProcessTableOptions { ReadPss = false, DetectRuntime = true });
        return info?.RuntimeVersion is { } version && Version.TryParse(version.Split('-')[0], out var v) && v.Major < 9
            ? RuntimeCounters.EventCounters
            : RuntimeCounters.Meter;
    }

    private void OpenEventCounters(TimeSpan refresh)
    {
        var provider = new EventPipeProvider(RuntimeEventCounterMapping.ProviderName, EventLevel.Informational, -1, new Dictionary<string, string>
        {
            ["EventCounterIntervalSec"] = refresh.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture),
        });
        OpenPeriodic(provider, "counters", OnCounterEvent);
    }

    // The periodic figures' own small session (1 MiB of buffer: a round is a few dozen events).
    private void OpenPeriodic(EventPipeProvider provider, string name, Action<TraceEvent> onEvent)
    {
        var reader = DiagnosticPort.Call(ProcessId, $"start the {name} EventPipe session", () => new PipeReader(ProcessId,
            _client.StartEventPipeSession(new EventPipeSessionConfiguration([provider], 1, requestRundown: false, requestStackwalk: false)),
            name));
        reader.Source.Dynamic.All += onEvent;
        lock (_meterLock)
        {
            _meter = reader;
        }
    }

    private void OnCounterEvent(TraceEvent e)
    {
        // TraceEvent hands the counter as one unnamed field holding {"Payload": {"Name": …, "Mean": …, …}}.
        if (e.EventName != "EventCounters" || e.ProviderName != RuntimeEventCounterMapping.ProviderName || e.PayloadNames.Length == 0
            || e.PayloadValue(0) is not IDictionary<string, object> outer
            || !outer.TryGetValue("Payload", out var inner) || inner is not IDictionary<string, object> payload
            || !payload.TryGetValue("Name", out var nameValue) || nameValue is not string name
            || !payload.TryGetValue("Mean", out var meanValue))
        {
            return;
        }

        double mean = Convert.ToDouble(meanValue, CultureInfo.InvariantCulture);
        RuntimeEventCounterMapping.Apply(name, mean, (metric, v) => ValuePublished?.Invoke(metric, v));
    }

    private void OpenMeter(TimeSpan refresh)
    {
        string sessionId = "memlens-" + Guid.NewGuid().ToString("N")[..12];
        var provider = new EventPipeProvider(MetricsProvider, EventLevel.Informational, MetricsKeywords, new Dictionary<string, string>
        {
            ["SessionId"] = sessionId,
            // Only the instruments MemLens maps: every instrument read costs the target on each round.
            ["Metrics"] = RuntimeMeterMapping.InstrumentFilter,
            ["RefreshInterval"] = refresh.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture),
            ["MaxTimeSeries"] = "100",
            ["MaxHistograms"] = "0",
        });
        _meterSessionId = sessionId;
        OpenPeriodic(provider, "meter", OnMeterEvent);
    }

    // The trace's start time is known once its header has been read, i.e. by the time any event arrives.
    private long SessionStartUnixMs()
    {
        if (_sessionStartUnixMs == 0)
        {
            _sessionStartUnixMs = new DateTimeOffset(_gc.Source.SessionStartTime.ToUniversalTime()).ToUnixTimeMilliseconds();
        }

        return _sessionStartUnixMs;
    }

    private void OnMeterEvent(TraceEvent e)
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
                if ((!_acceptAnySession && e.PayloadByName("sessionId") as string != _meterSessionId) || e.PayloadByName("meterName") as string != "System.Runtime")
                {
                    return;
                }

                string instrument = e.PayloadByName("instrumentName") as string ?? "";
                string tags = e.PayloadByName("tags") as string ?? "";
                if (TryParseValue(e.PayloadByName("value"), out double value) || TryParseValue(e.PayloadByName("lastValue"), out value))
                {
                    _meterMapping.Apply(instrument, tags, value, (metric, v) => ValuePublished?.Invoke(metric, v));
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

    /// <summary>Stops both sessions (the runtime stops writing) and waits briefly for the readers to drain.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        PipeReader? meter;
        lock (_meterLock)
        {
            meter = _meter;
            _meter = null;
        }

        meter?.Dispose();
        _gc.Dispose();
    }
}
