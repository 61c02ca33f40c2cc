using System.Buffers;
using System.Globalization;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using MemLens.AspNetCore.Actions;
using MemLens.AspNetCore.Streaming;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;

namespace MemLens.AspNetCore.Dashboard;

/// <summary>The routes of docs/dashboard-api.md, mapped into a route group.</summary>
internal static partial class DashboardEndpoints
{
    private static readonly TimeSpan s_pingInterval = TimeSpan.FromSeconds(15);
    private static readonly byte[] s_hello = Encoding.UTF8.GetBytes("retry: 2000\n\n");
    private static readonly byte[] s_ping = Encoding.UTF8.GetBytes(": ping\n\n");
    private static readonly byte[] s_droppedHeader = Encoding.UTF8.GetBytes("event: dropped\ndata: ");

    public static RouteGroupBuilder Map(IEndpointRouteBuilder endpoints, string pattern, Func<IServiceProvider, MemLensMonitor> monitorOf)
    {
        var group = endpoints.MapGroup(pattern);
        MemLensMonitor Monitor(HttpContext ctx) => monitorOf(ctx.RequestServices);

        group.MapGet("/", ctx => ServePage(ctx)).WithDisplayName("MemLens dashboard");
        foreach (string file in DashboardAssets.Instance.Files.Keys.Where(f => f != "index.html"))
        {
            group.MapGet("/" + file, ctx => ServeAsset(ctx, DashboardAssets.Instance.Files[file])).WithDisplayName("MemLens " + file);
        }

        group.MapGet("/api/catalog", ctx => Guarded(ctx, Monitor(ctx), m => JsonAsync(ctx, ApiJson.Serialize(w => ApiJson.WriteCatalog(w, m))))).WithDisplayName("MemLens catalog");
        group.MapGet("/api/status", ctx => Guarded(ctx, Monitor(ctx), m => JsonAsync(ctx, ApiJson.Serialize(w => ApiJson.WriteStatus(w, m))))).WithDisplayName("MemLens status");
        group.MapGet("/api/series", ctx => Guarded(ctx, Monitor(ctx), m => SeriesAsync(ctx, m))).WithDisplayName("MemLens series");
        group.MapGet("/api/events", ctx => Guarded(ctx, Monitor(ctx), m => EventsAsync(ctx, m))).WithDisplayName("MemLens events");
        group.MapGet("/api/findings", ctx => Guarded(ctx, Monitor(ctx), m => FindingsAsync(ctx, m))).WithDisplayName("MemLens findings");
        group.MapGet("/api/stream", ctx => Guarded(ctx, Monitor(ctx), m => StreamAsync(ctx, m))).WithDisplayName("MemLens stream");
        group.MapPost("/api/actions/release", ctx => Guarded(ctx, Monitor(ctx), m => ReleaseAsync(ctx, m))).WithDisplayName("MemLens release memory");
        MapTargetActions(group, Monitor);
        return group;
    }

    private static async Task Guarded(HttpContext ctx, MemLensMonitor monitor, Func<MemLensMonitor, Task> handler)
    {
        if (!Authorized(ctx, monitor.Options.AccessToken))
        {
            ctx.Response.Headers.WWWAuthenticate = "Bearer";
            await JsonAsync(ctx, ApiJson.Serialize(w => ApiJson.WriteError(w, "This dashboard needs its access token (Authorization: Bearer <token>, or ?access_token=).", tokenRequired: true)), StatusCodes.Status401Unauthorized);
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
#pragma warning disable CA1031 // The dashboard must never throw into the host; the error goes to the client.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            if (!ctx.Response.HasStarted)
            {
                await JsonAsync(ctx, ApiJson.Serialize(w => ApiJson.WriteError(w, $"{ex.GetType().Name}: {ex.Message}")), StatusCodes.Status500InternalServerError);
            }
        }
    }

    internal static bool Authorized(HttpContext ctx, string? token)
    {
        if (string.IsNullOrEmpty(token))
        {
            return true;
        }

        string? given = null;
        string header = ctx.Request.Headers.Authorization.ToString();
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            given = header["Bearer ".Length..].Trim();
        }
        else if (ctx.Request.Query.TryGetValue("access_token", out var q))
        {
            given = q.ToString();
        }

        return given is not null && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(given), Encoding.UTF8.GetBytes(token));
    }

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

    /// <summary>Reads from/to (Unix ms); defaults to the last hour. Returns an error message or null.</summary>
    private static string? ReadRange(HttpContext ctx, out long from, out long to)
    {
        long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        from = to = 0;
        if (!TryReadLong(ctx, "to", now, out to))
        {
            return "'to' must be Unix milliseconds.";
        }

        if (!TryReadLong(ctx, "from", to - 3_600_000, out from))
        {
            return "'from' must be Unix milliseconds.";
        }

        return from > to ? "'from' must not be after 'to'." : null;
    }

    private static bool TryReadLong(HttpContext ctx, string name, long fallback, out long value)
    {
        value = fallback;
        string? raw = ctx.Request.Query[name];
        return string.IsNullOrEmpty(raw) || long.TryParse(raw, NumberStyles.Integer, CultureInfo.InvariantCulture, out value);
    }

    private static async Task SeriesAsync(HttpContext ctx, MemLensMonitor monitor)
    {
        if (ReadRange(ctx, out long from, out long to) is { } error)
        {
            await BadRequest(ctx, error);
            return;
        }

        if (!TryReadLong(ctx, "points", SeriesGrid.DefaultPoints, out long points))
        {
            await BadRequest(ctx, "'points' must be a whole number.");
            return;
        }

        IReadOnlyList<string> ids = DashboardCharts.SeriesIds;
        string? rawIds = ctx.Request.Query["ids"];
        if (!string.IsNullOrEmpty(rawIds))
        {
            var requested = rawIds.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            var unknown = requested.Where(id => !DerivedSeries.TryResolve(id, out _)).ToArray();
            if (unknown.Length > 0)
            {
                await BadRequest(ctx, "Unknown series: " + string.Join(", ", unknown.Take(5)));
                return;
            }

            ids = requested.Distinct(StringComparer.Ordinal).ToArray();
        }

        int n = (int)Math.Clamp(points, SeriesGrid.MinPoints, SeriesGrid.MaxPoints);
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

        if (!TryReadLong(ctx, "max", 5000, out long max) || max < 1)
        {
            await BadRequest(ctx, "'max' must be a positive whole number.");
            return;
        }

        int limit = (int)Math.Min(max, 20_000);
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
        if (!TryReadLong(ctx, "to", last, out long to))
        {
            await BadRequest(ctx, "'to' must be Unix milliseconds.");
            return;
        }

        if (!TryReadLong(ctx, "from", Math.Min(first, to), out long from))
        {
            await BadRequest(ctx, "'from' must be Unix milliseconds.");
            return;
        }

        if (from > to)
        {
            await BadRequest(ctx, "'from' must not be after 'to'.");
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
            await JsonAsync(ctx, ApiJson.Serialize(w => ApiJson.WriteError(w, $"Too many live clients (MaxStreamClients = {monitor.Options.MaxStreamClients}).")), StatusCodes.Status503ServiceUnavailable);
            return;
        }

        try
        {
            ctx.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
            ctx.Response.ContentType = "text/event-stream";
            ctx.Response.Headers.CacheControl = "no-cache";
            ctx.Response.Headers["X-Accel-Buffering"] = "no";
            var body = ctx.Response.Body;
            var aborted = ctx.RequestAborted;
            await body.WriteAsync(s_hello, aborted);
            await body.WriteAsync(monitor.Hub.StatusFrame(), aborted);
            await body.FlushAsync(aborted);
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
                        await body.WriteAsync(s_ping, aborted);
                        await body.FlushAsync(aborted);
                        continue;
                    }
                }

                if (!more)
                {
                    break;
                }

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
            }
        }
        finally
        {
            monitor.Hub.Disconnect(client);
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
