using System.Diagnostics.Tracing;

namespace MemLens.OpenTelemetry;

/// <summary>
/// Why a push failed, in one line. The SDK's OTLP exporter returns only <c>ExportResult.Failure</c> and tells the
/// reason to its EventSource; this listener reads those events on the thread that writes them, and only while one of
/// our exports runs on that thread (<see cref="Capture"/>), so other exporters in the process are not mixed in.
/// </summary>
internal sealed class OtlpFailureReasons : EventListener
{
    private const string SourceName = "OpenTelemetry-Exporter-OpenTelemetryProtocol";
    private const int MaxReasonLength = 300;

    private static readonly Lazy<OtlpFailureReasons> s_listener = new(() => new OtlpFailureReasons(), LazyThreadSafetyMode.ExecutionAndPublication);

    [ThreadStatic]
    private static Scope? t_scope;

    /// <summary>Starts collecting the reasons reported on this thread until the returned scope is disposed.</summary>
    public static Scope Capture()
    {
        _ = s_listener.Value;
        var scope = new Scope(t_scope);
        t_scope = scope;
        return scope;
    }

    /// <summary>
    /// The first line of an exception's text without its type name, e.g. <c>Connection refused (127.0.0.1:4318)</c>
    /// from <c>System.Net.Http.HttpRequestException: Connection refused (127.0.0.1:4318)\n ---&gt; …</c>.
    /// </summary>
    internal static string OneLine(string text)
    {
        var line = text.AsSpan().Trim();
        int end = line.IndexOfAny('\r', '\n');
        if (end >= 0)
        {
            line = line[..end].TrimEnd();
        }

        int colon = line.IndexOf(": ", StringComparison.Ordinal);
        if (colon > 0 && line[..colon].IndexOf(' ') < 0 && line[..colon].EndsWith("Exception", StringComparison.Ordinal))
        {
            line = line[(colon + 2)..];
        }

        return line.Length <= MaxReasonLength ? line.ToString() : string.Concat(line[..(MaxReasonLength - 1)], "…");
    }

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        // Called from the base constructor too, before this instance's fields are set: use none here.
        if (eventSource.Name == SourceName)
        {
            EnableEvents(eventSource, EventLevel.Warning);
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        if (t_scope is not { } scope || eventData.Level > EventLevel.Warning || eventData.Payload is not { Count: > 0 } payload)
        {
            return;
        }

        // The exporter's failure events carry the endpoint first and the exception's text last (a trailing bool
        // says whether it was a retry); the last non-empty string is the one that says why.
        for (int i = payload.Count - 1; i >= 0; i--)
        {
            if (payload[i] is string { Length: > 0 } text && !Uri.IsWellFormedUriString(text, UriKind.Absolute))
            {
                scope.Reason = OneLine(text);
                return;
            }
        }
    }

    /// <summary>The reasons reported on one thread during one export.</summary>
    public sealed class Scope : IDisposable
    {
        private readonly Scope? _outer;

        internal Scope(Scope? outer) => _outer = outer;

        /// <summary>The last reason reported, or null.</summary>
        public string? Reason { get; internal set; }

        public void Dispose() => t_scope = _outer;
    }
}
