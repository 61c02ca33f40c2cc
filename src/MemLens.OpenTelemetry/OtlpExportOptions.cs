namespace MemLens.OpenTelemetry;

/// <summary>
/// Where and how <see cref="MemLensOtlpExporter"/> pushes MemLens's figures: an OpenTelemetry Collector (or any
/// OTLP/HTTP receiver) and the labels that say which process they describe. Read once, by
/// <see cref="MemLensOtlpExporter.Start"/>; changing them afterwards has no effect.
/// </summary>
/// <remarks>
/// The OTLP environment variables (<c>OTEL_EXPORTER_OTLP_ENDPOINT</c>, <c>…_HEADERS</c>, <c>OTEL_SERVICE_NAME</c>,
/// <c>OTEL_RESOURCE_ATTRIBUTES</c>) are not read: an application may use them for its own telemetry, sent elsewhere.
/// </remarks>
public sealed class OtlpExportOptions
{
    /// <summary>The path OTLP/HTTP receivers serve metrics on.</summary>
    public const string MetricsPath = "/v1/metrics";

    /// <summary>Shortest accepted <see cref="ExportInterval"/>: 1 second.</summary>
    public static readonly TimeSpan MinimumExportInterval = TimeSpan.FromSeconds(1);

    /// <summary>Longest accepted <see cref="ExportInterval"/>: 10 minutes.</summary>
    public static readonly TimeSpan MaximumExportInterval = TimeSpan.FromMinutes(10);

    /// <summary>Longest accepted <see cref="Timeout"/>: 2 minutes.</summary>
    public static readonly TimeSpan MaximumTimeout = TimeSpan.FromMinutes(2);

    /// <summary>
    /// The collector's OTLP/HTTP address, e.g. <c>http://collector:4318</c> (protobuf over HTTP, the collector's
    /// <c>otlphttp</c> receiver; port 4317 is gRPC, which is not used). <c>/v1/metrics</c> is appended unless the
    /// path already ends with it, so <c>http://collector:4318/v1/metrics</c> works too. http or https.
    /// Default: null; required.
    /// </summary>
    public Uri? Endpoint { get; set; }

    /// <summary>
    /// How often the latest value of every series is pushed. Default: 10 seconds. Allowed: 1 second to 10 minutes.
    /// </summary>
    public TimeSpan ExportInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// HTTP headers sent with every push, e.g. <c>["Authorization"] = "Bearer …"</c> for a collector behind
    /// authentication. Names must be HTTP tokens and values one line. Default: empty.
    /// </summary>
    public IDictionary<string, string> Headers { get; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Extra resource attributes, e.g. <c>["deployment.environment.name"] = "prod"</c>; values are strings, booleans,
    /// integers or floating-point numbers. They are added after MemLens's own (<c>service.name</c>, <c>process.pid</c>
    /// …), so a key given here replaces MemLens's value. Default: empty.
    /// </summary>
    public IDictionary<string, object> ResourceAttributes { get; } = new Dictionary<string, object>(StringComparer.Ordinal);

    /// <summary>
    /// The resource's <c>service.name</c>. Default: null, meaning the name of the process the figures describe
    /// (<see cref="MemLens.Exporting.ExportedProcess.Name"/>, e.g. <c>MemLens.Demo</c>).
    /// </summary>
    public string? ServiceName { get; set; }

    /// <summary>
    /// How long one push may take, connection included; a slower push counts as failed. Default: 10 seconds.
    /// Allowed: more than zero, up to 2 minutes.
    /// </summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Checks every option; the exporter calls it before it starts.</summary>
    /// <exception cref="ArgumentException">An option is missing or invalid; the message says which and why.</exception>
    public void Validate()
    {
        if (Endpoint is null)
        {
            throw new ArgumentException("Endpoint is required: the collector's OTLP/HTTP address, e.g. http://collector:4318.", nameof(Endpoint));
        }

        if (!Endpoint.IsAbsoluteUri)
        {
            throw new ArgumentException($"Endpoint must be an absolute http:// or https:// address, e.g. http://collector:4318; got '{Endpoint}'.", nameof(Endpoint));
        }

        if (Endpoint.Scheme != Uri.UriSchemeHttp && Endpoint.Scheme != Uri.UriSchemeHttps)
        {
            throw new ArgumentException(
                $"Endpoint must be http:// or https:// (OTLP over HTTP with protobuf); got '{Endpoint.Scheme}:' in '{Endpoint}'.", nameof(Endpoint));
        }

        if (ExportInterval < MinimumExportInterval || ExportInterval > MaximumExportInterval)
        {
            throw new ArgumentOutOfRangeException(nameof(ExportInterval), ExportInterval, "ExportInterval must be between 1 second and 10 minutes.");
        }

        if (Timeout <= TimeSpan.Zero || Timeout > MaximumTimeout)
        {
            throw new ArgumentOutOfRangeException(nameof(Timeout), Timeout, "Timeout must be more than zero and at most 2 minutes.");
        }

        if (ServiceName is { } service && string.IsNullOrWhiteSpace(service))
        {
            throw new ArgumentException("ServiceName must not be blank; leave it null to use the process's name.", nameof(ServiceName));
        }

        foreach (var (name, value) in Headers)
        {
            if (!IsToken(name))
            {
                throw new ArgumentException($"Header name '{name}' is not a valid HTTP header name (letters, digits and !#$%&'*+-.^_`|~ only).", nameof(Headers));
            }

            if (value is null || value.AsSpan().IndexOfAny('\r', '\n') >= 0)
            {
                throw new ArgumentException($"Header '{name}' must have a value on one line.", nameof(Headers));
            }
        }

        foreach (var (key, value) in ResourceAttributes)
        {
            if (string.IsNullOrEmpty(key))
            {
                throw new ArgumentException("Resource attribute keys must not be empty.", nameof(ResourceAttributes));
            }

            if (value is not (string or bool or long or int or short or sbyte or byte or ushort or uint or double or float))
            {
                throw new ArgumentException(
                    $"Resource attribute '{key}' must be a string, a boolean, an integer or a floating-point number; got {(value is null ? "null" : value.GetType().Name)}.",
                    nameof(ResourceAttributes));
            }
        }
    }

    /// <summary>
    /// The full address pushes go to: <see cref="Endpoint"/> with <see cref="MetricsPath"/> appended unless it ends with it
    /// (a trailing slash is dropped either way).
    /// </summary>
    internal Uri MetricsUrl()
    {
        var endpoint = Endpoint ?? throw new InvalidOperationException("Endpoint is not set.");
        string path = endpoint.AbsolutePath.TrimEnd('/');
        return new UriBuilder(endpoint) { Path = path.EndsWith(MetricsPath, StringComparison.Ordinal) ? path : path + MetricsPath }.Uri;
    }

    /// <summary>A copy, so that the exporter is not affected by later changes to these options.</summary>
    internal OtlpExportOptions Clone()
    {
        var copy = new OtlpExportOptions
        {
            Endpoint = Endpoint,
            ExportInterval = ExportInterval,
            ServiceName = ServiceName,
            Timeout = Timeout,
        };
        foreach (var (name, value) in Headers)
        {
            copy.Headers[name] = value;
        }

        foreach (var (key, value) in ResourceAttributes)
        {
            copy.ResourceAttributes[key] = value;
        }

        return copy;
    }

    // RFC 9110 §5.6.2: token = 1*tchar.
    private static bool IsToken(string? name)
    {
        if (string.IsNullOrEmpty(name))
        {
            return false;
        }

        foreach (char c in name)
        {
            bool tchar = c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9')
                || "!#$%&'*+-.^_`|~".Contains(c, StringComparison.Ordinal);
            if (!tchar)
            {
                return false;
            }
        }

        return true;
    }
}
