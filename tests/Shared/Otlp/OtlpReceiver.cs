using System.IO.Compression;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace MemLens.Tests.Shared.Otlp;

/// <summary>
/// A real OTLP/HTTP metrics receiver for tests: Kestrel on 127.0.0.1 and a free port (or a given one), answering
/// <c>POST /v1/metrics</c> with <c>Content-Type: application/x-protobuf</c> (gzip-encoded or not) with 200 and an empty
/// body (an empty <c>ExportMetricsServiceResponse</c>), and keeping the last <see cref="MaxKept"/> decoded requests with
/// their headers. Compiled into each test project that needs it (a linked source file).
/// </summary>
internal sealed class OtlpReceiver : IAsyncDisposable
{
    /// <summary>Requests kept, the oldest dropped first.</summary>
    public const int MaxKept = 1000;

    private const int MaxBodyBytes = 16 << 20;

    private readonly WebApplication _app;
    private readonly object _gate = new();
    private readonly List<OtlpExportRequest> _requests = [];
    private readonly List<string> _errors = [];
    private TaskCompletionSource _arrived = NewSignal();
    private long _sequence;

    private OtlpReceiver(WebApplication app) => _app = app;

    /// <summary>The base address exporters are given, e.g. <c>http://127.0.0.1:40123</c> (no path).</summary>
    public Uri Endpoint { get; private set; } = null!;

    public int Port => Endpoint.Port;

    /// <summary>The status answered to the next requests (200 unless a test wants the collector to refuse).</summary>
    public int StatusCode { get; set; } = StatusCodes.Status200OK;

    /// <summary>Requests that could not be read (wrong content type, bad protobuf), one line each.</summary>
    public IReadOnlyList<string> Errors
    {
        get
        {
            lock (_gate)
            {
                return [.. _errors];
            }
        }
    }

    /// <summary>Every kept request, oldest first.</summary>
    public IReadOnlyList<OtlpExportRequest> Requests
    {
        get
        {
            lock (_gate)
            {
                return [.. _requests];
            }
        }
    }

    /// <summary>Listens on 127.0.0.1:<paramref name="port"/> (0: a free port).</summary>
    public static async Task<OtlpReceiver> StartAsync(int port = 0)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port));
        var app = builder.Build();
        var receiver = new OtlpReceiver(app);
        app.MapPost("/v1/metrics", receiver.ReceiveAsync);
        await app.StartAsync();
        var bound = new Uri(app.Urls.First());
        receiver.Endpoint = new Uri($"http://127.0.0.1:{bound.Port}");
        return receiver;
    }

    /// <summary>
    /// The first request, kept already or arriving before <paramref name="timeout"/>, that matches
    /// <paramref name="predicate"/>; throws <see cref="TimeoutException"/> naming how many arrived when none does.
    /// </summary>
    public async Task<OtlpExportRequest> NextAsync(Func<OtlpExportRequest, bool> predicate, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        while (true)
        {
            Task arrived;
            lock (_gate)
            {
                foreach (var request in _requests)
                {
                    if (predicate(request))
                    {
                        return request;
                    }
                }

                arrived = _arrived.Task;
            }

            try
            {
                await arrived.WaitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException(
                    $"No matching OTLP request within {timeout.TotalSeconds:0.#} s ({Requests.Count} received, errors: {string.Join("; ", Errors)}).");
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private async Task ReceiveAsync(HttpContext context)
    {
        var request = context.Request;
        if (!string.Equals(request.ContentType, "application/x-protobuf", StringComparison.OrdinalIgnoreCase))
        {
            Error($"Content-Type {request.ContentType}");
            context.Response.StatusCode = StatusCodes.Status415UnsupportedMediaType;
            return;
        }

        byte[] wire;
        using (var buffer = new MemoryStream())
        {
            await request.Body.CopyToAsync(buffer, context.RequestAborted);
            wire = buffer.ToArray();
        }

        string? encoding = request.Headers.ContentEncoding.ToString() is { Length: > 0 } e ? e : null;
        byte[] body = wire;
        if (string.Equals(encoding, "gzip", StringComparison.OrdinalIgnoreCase))
        {
            using var gzip = new GZipStream(new MemoryStream(wire), CompressionMode.Decompress);
            using var plain = new MemoryStream();
            await gzip.CopyToAsync(plain, context.RequestAborted);
            body = plain.ToArray();
        }

        if (body.Length > MaxBodyBytes)
        {
            Error($"body of {body.Length} bytes");
            context.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
            return;
        }

        IReadOnlyList<OtlpResourceMetrics> decoded;
        try
        {
            decoded = OtlpMetricsDecoder.Decode(body);
        }
        catch (Google.Protobuf.InvalidProtocolBufferException ex)
        {
            Error("bad protobuf: " + ex.Message);
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }

        var headers = request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        lock (_gate)
        {
            _requests.Add(new OtlpExportRequest(++_sequence, DateTimeOffset.UtcNow, headers, wire.Length, body.Length, encoding, decoded));
            if (_requests.Count > MaxKept)
            {
                _requests.RemoveAt(0);
            }

            var signal = _arrived;
            _arrived = NewSignal();
            signal.TrySetResult();
        }

        context.Response.StatusCode = StatusCode;
        context.Response.ContentType = "application/x-protobuf";
        context.Response.ContentLength = 0;
    }

    private void Error(string message)
    {
        lock (_gate)
        {
            if (_errors.Count < 100)
            {
                _errors.Add(message);
            }
        }
    }
}

/// <summary>One request the receiver took: its headers, sizes and decoded content.</summary>
/// <param name="Sequence">1 for the first request the receiver took, then 2, 3…</param>
/// <param name="WireBytes">The body's size as sent (compressed when <paramref name="ContentEncoding"/> says so).</param>
/// <param name="ProtobufBytes">The protobuf's size.</param>
internal sealed record OtlpExportRequest(
    long Sequence,
    DateTimeOffset ReceivedAt,
    IReadOnlyDictionary<string, string> Headers,
    int WireBytes,
    int ProtobufBytes,
    string? ContentEncoding,
    IReadOnlyList<OtlpResourceMetrics> ResourceMetrics)
{
    /// <summary>Every metric of every resource and scope, with the resource and scope it came in.</summary>
    public IEnumerable<(OtlpResourceMetrics Resource, OtlpScopeMetrics Scope, OtlpMetric Metric)> Metrics =>
        from r in ResourceMetrics from s in r.Scopes from m in s.Metrics select (r, s, m);

    /// <summary>The metric named <paramref name="name"/>, or null.</summary>
    public OtlpMetric? Metric(string name) => Metrics.Select(x => x.Metric).FirstOrDefault(m => m.Name == name);
}
