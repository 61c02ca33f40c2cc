using MemLens.Exporting;
using MemLens.Storage;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace MemLens.OpenTelemetry;

/// <summary>
/// Pushes the latest value of every series in a <see cref="MetricStore"/> to an OpenTelemetry Collector over OTLP/HTTP
/// (protobuf), every <see cref="OtlpExportOptions.ExportInterval"/>, with the OpenTelemetry SDK. Each catalog metric is
/// one instrument named as the catalog (<c>process.memory.rss</c>, unit <c>By</c>): gauges as gauges, counters as
/// monotonic cumulative sums; a series without a value yet is left out. The resource says which process the figures
/// describe (<c>process.pid</c>, <c>process.executable.name</c>, <c>process.runtime.name</c>, <c>service.name</c>).
/// </summary>
/// <remarks>
/// After <see cref="Start"/> returns, the exporter never throws into the host: a push that fails (collector down,
/// refused, timed out) is counted in <see cref="Failures"/>, described in <see cref="LastError"/>, and
/// <see cref="Failed"/> is raised once per outage; the next interval simply tries again with the values of then.
/// Nothing queues: the SDK's reader holds one batch, and a failed batch is not kept.
/// Each exporter has its own meter and pushes only its own store's figures, even with several exporters in a process.
/// </remarks>
public sealed class MemLensOtlpExporter : IDisposable
{
    /// <summary>How long <see cref="Dispose"/> waits for the last push.</summary>
    public static readonly TimeSpan FinalFlushTimeout = TimeSpan.FromSeconds(5);

    private readonly object _stateLock = new();
    private MemLensInstruments? _instruments;
    private MeterProvider? _provider;
    private HttpClient? _httpClient;
    private long _exports;
    private long _failures;
    private volatile string? _lastError;
    private bool _failing;   // under _stateLock: the last push failed
    private int _disposed;

    private MemLensOtlpExporter(Uri endpoint) => Endpoint = endpoint;

    /// <summary>Where pushes go: <see cref="OtlpExportOptions.Endpoint"/> ending in <c>/v1/metrics</c>.</summary>
    public Uri Endpoint { get; }

    /// <summary>Pushes the collector accepted.</summary>
    public long Exports => Interlocked.Read(ref _exports);

    /// <summary>Pushes that failed (not reached, refused, timed out, answered with an error status).</summary>
    public long Failures => Interlocked.Read(ref _failures);

    /// <summary>
    /// Why the last push failed, in one line, e.g. <c>OTLP export to http://collector:4318/v1/metrics failed: Connection
    /// refused (collector:4318)</c>; null once a push succeeds again (and before any failed).
    /// </summary>
    public string? LastError => _lastError;

    /// <summary>
    /// Raised when pushes go from working (or not tried yet) to failing, with <see cref="LastError"/>: once per outage,
    /// not once per attempt. Runs on the SDK's export thread; an exception thrown by a handler is ignored.
    /// </summary>
    public event Action<string>? Failed;

    /// <summary>Raised when a push succeeds after <see cref="Failed"/>. Runs on the SDK's export thread.</summary>
    public event Action? Recovered;

    /// <summary>
    /// Starts pushing <paramref name="store"/>'s latest values, labelled as <paramref name="process"/>; the first push
    /// happens one <see cref="OtlpExportOptions.ExportInterval"/> from now. <paramref name="options"/> are copied.
    /// </summary>
    /// <exception cref="ArgumentException">An option is missing or invalid (see <see cref="OtlpExportOptions.Validate"/>).</exception>
    /// <exception cref="NotSupportedException">
    /// The SDK's exporter refuses its environment, e.g. <c>OTEL_DOTNET_EXPERIMENTAL_OTLP_RETRY=disk</c> without a directory.
    /// </exception>
    public static MemLensOtlpExporter Start(MetricStore store, ExportedProcess process, OtlpExportOptions options)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(process);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        options = options.Clone();

        var exporter = new MemLensOtlpExporter(options.MetricsUrl());
        try
        {
            exporter.Build(store, process, options);
            return exporter;
        }
        catch
        {
            exporter.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Pushes now and waits for the outcome, at most <paramref name="timeout"/>: for tests, and for a tool about to
    /// exit. True when the collector accepted the push; false when it failed, timed out, or the exporter is disposed.
    /// </summary>
    public bool ForceFlush(TimeSpan timeout)
    {
        var provider = Volatile.Read(ref _provider);
        if (provider is null || Volatile.Read(ref _disposed) != 0)
        {
            return false;
        }

        try
        {
            return provider.ForceFlush(ToMilliseconds(timeout));
        }
#pragma warning disable CA1031 // Never throw into the host: a flush that cannot run is a flush that did not succeed.
        catch (Exception)
#pragma warning restore CA1031
        {
            return false;
        }
    }

    /// <summary>Pushes one last time (waiting at most <see cref="FinalFlushTimeout"/>) and stops. Never throws.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        // The provider's shutdown runs the reader's last collect and push, bounded; the in-flight request is cancelled
        // when the bound passes.
        try
        {
            _provider?.Shutdown(ToMilliseconds(FinalFlushTimeout));
        }
#pragma warning disable CA1031 // Stopping must not throw into the host, whatever the SDK does.
        catch (Exception)
        {
        }

        try
        {
            _provider?.Dispose();
        }
        catch (Exception)
        {
        }
#pragma warning restore CA1031

        _instruments?.Dispose();
        _httpClient?.Dispose();
    }

    private static int ToMilliseconds(TimeSpan timeout) =>
        (int)Math.Clamp(timeout.TotalMilliseconds, 0, int.MaxValue);

    private void Build(MetricStore store, ExportedProcess process, OtlpExportOptions options)
    {
        _instruments = new MemLensInstruments(store);
        var ownMeter = _instruments.Meter;

        // Our own HttpClient carries the headers (the SDK's Headers string is comma-separated and URL-decoded, which
        // would mangle a value holding a comma or a %), and its timeout bounds one push, connection included.
        _httpClient = new HttpClient { Timeout = options.Timeout };
        foreach (var (name, value) in options.Headers)
        {
            _httpClient.DefaultRequestHeaders.TryAddWithoutValidation(name, value);
        }

        var client = _httpClient;
        var otlp = new OtlpExporterOptions
        {
            Endpoint = Endpoint,
            Protocol = OtlpExportProtocol.HttpProtobuf,
            TimeoutMilliseconds = ToMilliseconds(options.Timeout),
            HttpClientFactory = () => client,
            UserAgentProductIdentifier = "MemLens/" + MemLensInstruments.Version.Split('+')[0],
        };
        otlp.Headers = null;   // not OTEL_EXPORTER_OTLP_HEADERS, which the options' constructor read

        // Every OTLP server must accept gzip (opentelemetry-proto docs/specification.md). The help texts go out with
        // every push; gzip halves it: 19.5 KB of protobuf for all 64 catalog series is 10 KB on the wire.
        otlp.Compression = OtlpExportCompression.GZip;

        var reader = new PeriodicExportingMetricReader(
            new CountingOtlpMetricExporter(otlp, OnOutcome),
            ToMilliseconds(options.ExportInterval),
            ToMilliseconds(options.Timeout))
        {
            TemporalityPreference = MetricReaderTemporalityPreference.Cumulative,
        };

        _provider = Sdk.CreateMeterProviderBuilder()
            .SetResourceBuilder(Resource(process, options))
            .AddMeter(MemLensInstruments.MeterName)
            // AddMeter listens to every meter called MemLens in the process, another exporter's too: keep our own only.
            .AddView(instrument => ReferenceEquals(instrument.Meter, ownMeter) ? null : MetricStreamConfiguration.Drop)
            .AddReader(reader)
            .Build();
    }

    private static ResourceBuilder Resource(ExportedProcess process, OtlpExportOptions options)
    {
        string host = Environment.MachineName;
        var attributes = new Dictionary<string, object>(StringComparer.Ordinal)
        {
            ["process.pid"] = (long)process.ProcessId,
            ["process.executable.name"] = process.Name,
            ["process.runtime.name"] = process.Runtime,
            ["host.name"] = host,
        };

        // Empty, not CreateDefault(): the default reads OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES, which belong to
        // the application's own telemetry.
        return ResourceBuilder.CreateEmpty()
            .AddService(
                serviceName: options.ServiceName ?? process.Name,
                autoGenerateServiceInstanceId: false,
                serviceInstanceId: $"{host}:{process.ProcessId}")
            .AddTelemetrySdk()
            .AddAttributes(attributes)
            .AddAttributes(options.ResourceAttributes.Select(a => new KeyValuePair<string, object>(a.Key, Normalize(a.Value))));
    }

    // The SDK accepts string, bool, long, int, short, double and float; the other integer types become long.
    private static object Normalize(object value) => value switch
    {
        string or bool or long or double => value,
        float f => (double)f,
        _ => Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture),
    };

    private void OnOutcome(bool success, string? reason)
    {
        Action<string>? failed = null;
        Action? recovered = null;
        string? message = null;
        lock (_stateLock)
        {
            if (success)
            {
                Interlocked.Increment(ref _exports);
                _lastError = null;
                if (_failing)
                {
                    _failing = false;
                    recovered = Recovered;
                }
            }
            else
            {
                Interlocked.Increment(ref _failures);
                message = reason is null ? $"OTLP export to {Endpoint} failed" : $"OTLP export to {Endpoint} failed: {reason}";
                _lastError = message;
                if (!_failing)
                {
                    _failing = true;
                    failed = Failed;
                }
            }
        }

        // Outside the lock; a handler that throws must not break the SDK's export thread.
#pragma warning disable CA1031
        try
        {
            failed?.Invoke(message!);
            recovered?.Invoke();
        }
        catch (Exception)
        {
        }
#pragma warning restore CA1031
    }
}
