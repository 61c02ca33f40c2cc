using System.Buffers;
using System.Globalization;
using System.IO.Compression;
using System.Net;
using System.Text;
using System.Text.Json;
using MemLens.AspNetCore.Access;
using MemLens.AspNetCore.Actions;
using MemLens.AspNetCore.Streaming;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MemLens.AspNetCore.Dashboard;

/// <summary>The routes of docs/dashboard-api.md, mapped into a route group.</summary>
internal static partial class DashboardEndpoints
{
    private static readonly TimeSpan s_pingInterval = TimeSpan.FromSeconds(15);
    private static readonly byte[] s_hello = Encoding.UTF8.GetBytes("retry: 2000\n\n");
    private static readonly byte[] s_ping = Encoding.UTF8.GetBytes(": ping\n\n");
    private static readonly byte[] s_droppedHeader = Encoding.UTF8.GetBytes("event: dropped\ndata: ");

    /// <summary>
    /// Maps the routes under <paramref name="pattern"/>. <paramref name="boundAddress"/> is the address of a server of
    /// their own (<see cref="MemLensServer"/>), whose Host names are then known; null in the user's app.
    /// </summary>
    public static RouteGroupBuilder Map(IEndpointRouteBuilder endpoints, string pattern, Func<IServiceProvider, MemLensMonitor> monitorOf, IPAddress? boundAddress = null)
    {
        var group = endpoints.MapGroup(pattern);
        group.WithMetadata(MemLensEndpointMetadata.Instance);
        var policy = boundAddress is null ? AccessPolicy.InProcess() : AccessPolicy.ForServer(boundAddress);
        MemLensMonitor Monitor(HttpContext ctx) => monitorOf(ctx.RequestServices);
        Task Page(HttpContext ctx, Func<Task> serve) => Gate(ctx, policy, Monitor(ctx), needsToken: false, _ => serve());
        Task Api(HttpContext ctx, Func<MemLensMonitor, Task> handler) => Gate(ctx, policy, Monitor(ctx), needsToken: true, handler);

        group.MapGet("/", ctx => Page(ctx, () => ServePage(ctx))).WithDisplayName("MemLens dashboard");
        foreach (string file in DashboardAssets.Instance.Files.Keys.Where(f => f != "index.html"))
        {
            group.MapGet("/" + file, ctx => Page(ctx, () => ServeAsset(ctx, DashboardAssets.Instance.Files[file]))).WithDisplayName("MemLens " + file);
        }

        group.MapGet("/api/catalog", ctx => Api(ctx, m => JsonAsync(ctx, ApiJson.Serialize(w => ApiJson.WriteCatalog(w, m))))).WithDisplayName("MemLens catalog");
        group.MapGet("/api/status", ctx => Api(ctx, m => JsonAsync(ctx, ApiJson.Serialize(w => ApiJson.WriteStatus(w, m))))).WithDisplayName("MemLens status");
        group.MapGet("/api/series", ctx => Api(ctx, m => SeriesAsync(ctx, m))).WithDisplayName("MemLens series");
        group.MapGet("/api/events", ctx => Api(ctx, m => EventsAsync(ctx, m))).WithDisplayName("MemLens events");
        group.MapGet("/api/findings", ctx => Api(ctx, m => FindingsAsync(ctx, m))).WithDisplayName("MemLens findings");
        group.MapGet("/api/stream", ctx => Api(ctx, m => StreamAsync(ctx, m))).WithDisplayName("MemLens stream");
        group.MapPost("/api/actions/release", ctx => Api(ctx, m => ReleaseAsync(ctx, m))).WithDisplayName("MemLens release memory");
        MapTargetActions(group, Api);
        return group;
    }

    /// <summary>
    /// Every route runs through here: the security headers, the access policy (origin, host, where the request
    /// comes from), the token for API routes, then the handler — whose failures answer one line, never an
    /// exception's type, message or stack (those go to the host's log).
    /// </summary>
    private static async Task Gate(HttpContext ctx, AccessPolicy policy, MemLensMonitor monitor, bool needsToken, Func<MemLensMonitor, Task> handler)
    {
        AccessPolicy.SetSecurityHeaders(ctx.Response, needsToken ? ApiContentSecurityPolicy : DashboardAssets.Instance.ContentSecurityPolicy);
        var options = monitor.Options;
        if (policy.Check(ctx, options.AccessToken, options.AllowedHosts) is { } refusal)
        {
            await ErrorAsync(ctx, refusal.Status, refusal.Message);
            return;
        }

        if (needsToken && policy.CheckToken(ctx, options.AccessToken) is { } denied)
        {
            if (denied.Status == StatusCodes.Status401Unauthorized)
            {
                ctx.Response.Headers.WWWAuthenticate = "Bearer";
                await JsonAsync(ctx, ApiJson.Serialize(w => ApiJson.WriteError(w, denied.Message, tokenRequired: true)), denied.Status);
            }
            else
            {
                ctx.Response.Headers.RetryAfter = denied.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
                await ErrorAsync(ctx, denied.Status, denied.Message);
            }

            return;
        }

        try
        {
            await handler(monitor);
        }
        catch (OperationCanceledException) when (ctx.RequestAborted.IsCancellationRequested)
        {
            // The client went away.
        }
#pragma warning disable CA1031 // The dashboard must never throw into the host; the client gets one line, the log the rest.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            ctx.RequestServices.GetService<ILoggerFactory>()?.CreateLogger("MemLens.AspNetCore").LogError(ex, "MemLens: {Method} {Path} failed", ctx.Request.Method, ctx.Request.Path);
            if (!ctx.Response.HasStarted)
            {
                await ErrorAsync(ctx, StatusCodes.Status500InternalServerError, "MemLens could not answer this request (an internal error; the application's log has the details).");
            }
        }
    }

    /// <summary>The policy of every answer but the page: it loads nothing and may not be framed.</summary>
    internal const string ApiContentSecurityPolicy = "default-src 'none'; frame-ancestors 'none'";

    private static Task ServePage(HttpContext ctx)
    {
        // The page uses relative URLs, so it must be served at "<base>/".
        var path = ctx.Request.Path.Value ?? string.Empty;
        if (!path.EndsWith('/'))
        {
            ctx.Response.Redirect(ctx.Request.PathBase + path + "/" + ctx.Request.QueryString);
            return Task.CompletedTask;
        }

        if (!DashboardAssets.Instance.Files.TryGetValue("index.html", out var page))
        {
            return JsonAsync(ctx, ApiJson.Serialize(w => ApiJson.WriteError(w, "The dashboard page was not embedded in MemLens.AspNetCore (web/ was not built).")), StatusCodes.Status500InternalServerError);
        }

        return ServeAsset(ctx, page);
    }

    private static async Task ServeAsset(HttpContext ctx, DashboardAssets.Asset asset)
    {
        var headers = ctx.Response.Headers;
        headers.ETag = asset.ETag;
        headers.CacheControl = "no-cache";
        headers.Vary = "Accept-Encoding";
        headers.XContentTypeOptions = "nosniff";
        if (ctx.Request.Headers.IfNoneMatch.ToString() == asset.ETag)
        {
            ctx.Response.StatusCode = StatusCodes.Status304NotModified;
            return;
        }

        ctx.Response.ContentType = asset.ContentType;
        byte[] body = asset.Content;
        switch (PreferredEncoding(ctx))
        {
            case "br":
                body = asset.Brotli;
                headers.ContentEncoding = "br";
                break;
            case "gzip":
                body = asset.Gzip;
                headers.ContentEncoding = "gzip";
                break;
        }

        ctx.Response.ContentLength = body.Length;
        await ctx.Response.Body.WriteAsync(body, ctx.RequestAborted);
    }

    private static string? PreferredEncoding(HttpContext ctx)
    {
        string accept = ctx.Request.Headers.AcceptEncoding.ToString();
        if (accept.Contains("br", StringComparison.OrdinalIgnoreCase))
        {
            return "br";
        }

        return accept.Contains("gzip", StringComparison.OrdinalIgnoreCase) ? "gzip" : null;
    }

    private static async Task JsonAsync(HttpContext ctx, ReadOnlyMemory<byte> json, int status = StatusCodes.Status200OK)
    {
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = "application/json; charset=utf-8";
        ctx.Response.Headers.CacheControl = "no-store";
        string? encoding = json.Length > 2048 ? PreferredEncoding(ctx) : null;
        if (encoding is null)
        {
            ctx.Response.ContentLength = json.Length;
            await ctx.Response.Body.WriteAsync(json, ctx.RequestAborted);
            return;
        }

        ctx.Response.Headers.ContentEncoding = encoding;
        ctx.Response.Headers.Vary = "Accept-Encoding";
        await using Stream z = encoding == "br"
            ? new BrotliStream(ctx.Response.Body, CompressionLevel.Optimal, leaveOpen: true)
            : new GZipStream(ctx.Response.Body, CompressionLevel.Optimal, leaveOpen: true);
        await z.WriteAsync(json, ctx.RequestAborted);
    }

    private static Task BadRequest(HttpContext ctx, string message) =>
        JsonAsync(ctx, ApiJson.Serialize(w => ApiJson.WriteError(w, message)), StatusCodes.Status400BadRequest);

    /// <summary>Reads from/to (Unix ms) through <see cref="QueryLimits"/>; defaults to the last hour. Returns an error message or null.</summary>
    private static string? ReadRange(HttpContext ctx, out long from, out long to) =>
        QueryLimits.TryReadRange(ctx, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), static t => t - 3_600_000, out from, out to, out string error) ? null : error;

    private static async Task SeriesAsync(HttpContext ctx, MemLensMonitor monitor)
    {
        if (ReadRange(ctx, out long from, out long to) is { } error)
        {
            await BadRequest(ctx, error);
            return;
        }

        if (!QueryLimits.TryReadPoints(ctx, out int n, out error) || !QueryLimits.TryReadIds(ctx, out var requested, out error))
        {
            await BadRequest(ctx, error);
            return;
        }

        IReadOnlyList<string> ids = requested ?? DashboardCharts.SeriesIds;
        var buffer = new ArrayBufferWriter<byte>(64 * 1024);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            SeriesGrid.Write(writer, monitor.Store, ids, from, to, n, (long)monitor.SampleInterval.TotalMilliseconds);
        }

        await JsonAsync(ctx, buffer.WrittenMemory);
    }

    private static async Task EventsAsync(HttpContext ctx, MemLensMonitor monitor)
    {
        if (ReadRange(ctx, out long from, out long to) is { } error)
        {
            await BadRequest(ctx, error);
            return;
        }

        if (!QueryLimits.TryReadCount(ctx, "max", 5000, 1, QueryLimits.MaxEvents, out int limit, out error))
        {
            await BadRequest(ctx, error);
            return;
        }

        var events = monitor.Store.GetEvents(from, to);
        bool truncated = events.Count > limit;
        var kept = truncated ? Thin(events, limit) : events;
        await JsonAsync(ctx, ApiJson.Serialize(w => ApiJson.WriteEvents(w, kept, truncated)));
    }

    /// <summary>
    /// Keeps the <paramref name="limit"/> events that matter most over a wide range: everything that is not a GC
    /// (releases, exits, errors), then GCs from the highest generation down, newest first within a rank; the
    /// result is in time order. A day of gen0 GCs must not push the one full GC or the release off the chart.
    /// </summary>
    internal static IReadOnlyList<MemLens.Events.MemEvent> Thin(IReadOnlyList<MemLens.Events.MemEvent> events, int limit) =>
        events
            .Select((e, i) => (Event: e, Order: i))
            .OrderByDescending(x => x.Event is MemLens.Events.GcEvent gc ? gc.Generation : int.MaxValue)
            .ThenByDescending(x => x.Order)
            .Take(limit)
            .OrderBy(x => x.Order)
            .Select(x => x.Event)
            .ToArray();

    /// <summary>
    /// The doctor's findings over from–to, by default the store's whole range (a recording's, or all the history a
    /// live monitor holds). Kept a few seconds per range (<see cref="FindingsCache"/>).
    /// </summary>
    private static async Task FindingsAsync(HttpContext ctx, MemLensMonitor monitor)
    {
        long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        long last = monitor.LastSampleMs() ?? now;
        long first = monitor.FirstSampleMs() ?? last;
        if (!QueryLimits.TryReadRange(ctx, last, to => Math.Min(first, to), out long from, out long to, out string error))
        {
            await BadRequest(ctx, error);
            return;
        }

        byte[] json = monitor.Findings.Get(from, to, (f, t) => ApiJson.Findings(monitor, f, t));
        await JsonAsync(ctx, json);
    }

    private static async Task StreamAsync(HttpContext ctx, MemLensMonitor monitor)
    {
        var client = monitor.Hub.Connect();
        if (client is null)
        {
            ctx.Response.Headers.RetryAfter = "2";
            await ErrorAsync(ctx, StatusCodes.Status503ServiceUnavailable, $"Too many live clients (MaxStreamClients = {monitor.Options.MaxStreamClients}); try again in a few seconds.");
            return;
        }

        using var ended = CancellationTokenSource.CreateLinkedTokenSource(ctx.RequestAborted, client.Evicted);
        try
        {
            ctx.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
            ctx.Response.ContentType = "text/event-stream";
            ctx.Response.Headers.CacheControl = "no-cache";
            ctx.Response.Headers["X-Accel-Buffering"] = "no";
            var body = ctx.Response.Body;
            var aborted = ended.Token;
            client.Writing(started: true);
            await body.WriteAsync(s_hello, aborted);
            await body.WriteAsync(monitor.Hub.StatusFrame(), aborted);
            await body.FlushAsync(aborted);
            client.Writing(started: false);
            var reader = client.Reader;
            while (!aborted.IsCancellationRequested)
            {
                bool more;
                using (var wait = CancellationTokenSource.CreateLinkedTokenSource(aborted))
                {
                    wait.CancelAfter(s_pingInterval);
                    try
                    {
                        more = await reader.WaitToReadAsync(wait.Token);
                    }
                    catch (OperationCanceledException) when (!aborted.IsCancellationRequested)
                    {
                        client.Writing(started: true);
                        await body.WriteAsync(s_ping, aborted);
                        await body.FlushAsync(aborted);
                        client.Writing(started: false);
                        continue;
                    }
                }

                if (!more)
                {
                    break;
                }

                // From here until the flush completes, a client that does not read shows as stalled (StreamHub evicts it first).
                client.Writing(started: true);
                while (reader.TryRead(out var frame))
                {
                    await body.WriteAsync(frame, aborted);
                }

                long dropped = client.TakeDropped();
                if (dropped > 0)
                {
                    await body.WriteAsync(StreamHub.Frame(s_droppedHeader, Encoding.UTF8.GetBytes($"{{\"count\":{dropped}}}")), aborted);
                }

                await body.FlushAsync(aborted);
                client.Writing(started: false);
            }
        }
        catch (OperationCanceledException) when (client.Evicted.IsCancellationRequested)
        {
            // Evicted to make room for a new client: drop the connection (the page reconnects by itself).
            ctx.Abort();
        }
        finally
        {
            monitor.Hub.Disconnect(client);
            client.Dispose();
        }
    }

    private static async Task ReleaseAsync(HttpContext ctx, MemLensMonitor monitor)
    {
        if (monitor.Release is not { } release)
        {
            string why = monitor.Target.InProcess
                ? "Actions are disabled. Set MemLensOptions.EnableActions = true to allow them."
                : "Release runs inside the process it frees; this dashboard watches another process.";
            await JsonAsync(ctx, ApiJson.Serialize(w => ApiJson.WriteError(w, why)), StatusCodes.Status403Forbidden);
            return;
        }

        // The GC blocks every thread anyway; run it off the request's thread so Kestrel's loop is not held.
        var result = await Task.Run(release.TryRun, ctx.RequestAborted);
        if (result is null)
        {
            await JsonAsync(ctx, ApiJson.Serialize(w => ApiJson.WriteError(w, "A release is already running.")), StatusCodes.Status409Conflict);
            return;
        }

        monitor.RecordEvent(new ReleaseEvent(result));
        monitor.SampleNow();
        await JsonAsync(ctx, ApiJson.Serialize(result.WriteJson));
    }
}
