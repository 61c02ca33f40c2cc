using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;

namespace MemLens.AspNetCore.Access;

/// <summary>
/// Who may reach the dashboard, its API and the scrape endpoint (docs/security.md), checked before any route runs:
/// same-origin only (a foreign <c>Origin</c> or a cross-site <c>Sec-Fetch-Site</c> is refused, actions included);
/// a <c>Host</c> that is not this server's (DNS rebinding) is refused; and, when neither a token nor an
/// authorization policy protects the routes, a request from another machine is refused.
/// </summary>
internal sealed class AccessPolicy
{
    private readonly IPAddress? _bound;

    private AccessPolicy(IPAddress? bound) => _bound = bound;

    /// <summary>Wrong tokens per client, limited (429) after <see cref="FailedTokenAttempts.PermitLimit"/> a minute.</summary>
    public FailedTokenAttempts Attempts { get; } = new();

    /// <summary>Routes mapped into the user's app: its names and ports are the app's, so only loopback names are known.</summary>
    public static AccessPolicy InProcess() => new(null);

    /// <summary>
    /// Routes on a server of their own (<see cref="MemLensServer"/>, the <c>memlens</c> tool) bound to
    /// <paramref name="bound"/>: the Host must name that address (or, bound to all, one of this machine's) and its port.
    /// </summary>
    public static AccessPolicy ForServer(IPAddress bound) => new(bound);

    /// <summary>
    /// Null when the request may proceed; otherwise the status and the one line to answer with. Token checks are
    /// separate (<see cref="CheckToken"/>): the page and its assets are served without one.
    /// </summary>
    public (int Status, string Message)? Check(HttpContext ctx, string? token, IList<string> allowedHosts)
    {
        var request = ctx.Request;
        string fetchSite = request.Headers["Sec-Fetch-Site"].ToString();
        if (fetchSite.Equals("cross-site", StringComparison.OrdinalIgnoreCase) || fetchSite.Equals("same-site", StringComparison.OrdinalIgnoreCase))
        {
            return (StatusCodes.Status403Forbidden, $"Requests from another site are refused (Sec-Fetch-Site: {Printable(fetchSite)}): this dashboard answers its own pages only.");
        }

        string origin = request.Headers.Origin.ToString();
        if (origin.Length > 0 && !SameOrigin(origin, request.Host))
        {
            return (StatusCodes.Status403Forbidden, $"Requests from another origin ({Printable(origin)}) are refused: this dashboard answers its own pages only.");
        }

        bool trusted = !string.IsNullOrEmpty(token) || HasAuthorizationPolicy(ctx);
        if (!trusted && !FromThisMachine(ctx.Connection.RemoteIpAddress))
        {
            return (StatusCodes.Status403Forbidden, "This dashboard answers only requests from this machine: set MemLensOptions.AccessToken or protect MapMemLens() with RequireAuthorization() to serve it to others.");
        }

        if (!HostAllowed(ctx, trusted, allowedHosts))
        {
            return (StatusCodes.Status403Forbidden, $"Host '{Printable(request.Host.Value ?? string.Empty)}' is not this dashboard's address; add the name to MemLensOptions.AllowedHosts to serve it under that name.");
        }

        return null;
    }

    /// <summary>
    /// Null when no token is needed or the request carries it; otherwise 401 (none or a wrong one) or 429 (too many
    /// wrong ones from this client lately) with its line, and the seconds to wait for a 429.
    /// </summary>
    public (int Status, string Message, int RetryAfterSeconds)? CheckToken(HttpContext ctx, string? token)
    {
        if (string.IsNullOrEmpty(token))
        {
            return null;
        }

        var client = ctx.Connection.RemoteIpAddress;
        if (Attempts.IsLimited(client, out int wait))
        {
            return (StatusCodes.Status429TooManyRequests, TooMany(wait), wait);
        }

        string? given = TokenOf(ctx.Request);
        if (given is null)
        {
            return (StatusCodes.Status401Unauthorized, "This dashboard needs its access token (Authorization: Bearer <token>, or ?access_token=).", 0);
        }

        if (System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(System.Text.Encoding.UTF8.GetBytes(given), System.Text.Encoding.UTF8.GetBytes(token)))
        {
            return null;
        }

        return Attempts.Failed(client, out wait)
            ? (StatusCodes.Status401Unauthorized, "That access token is not this dashboard's.", 0)
            : (StatusCodes.Status429TooManyRequests, TooMany(wait), wait);
    }

    /// <summary>Sets the headers every answer carries: no framing, no sniffing, no referrer; the page gets its full policy elsewhere.</summary>
    public static void SetSecurityHeaders(HttpResponse response, string contentSecurityPolicy)
    {
        var headers = response.Headers;
        headers.XFrameOptions = "DENY";
        headers.ContentSecurityPolicy = contentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "no-referrer";
    }

    private static string TooMany(int wait) =>
        $"Too many wrong access tokens from this address; try again in {wait.ToString(CultureInfo.InvariantCulture)} s.";

    private static string? TokenOf(HttpRequest request)
    {
        string header = request.Headers.Authorization.ToString();
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return header["Bearer ".Length..].Trim();
        }

        return request.Query.TryGetValue("access_token", out var q) ? q.ToString() : null;
    }

    /// <summary>True when the endpoint carries an authorization policy (<c>RequireAuthorization()</c>) that is not lifted by <c>AllowAnonymous</c>.</summary>
    internal static bool HasAuthorizationPolicy(HttpContext ctx) =>
        ctx.GetEndpoint()?.Metadata is { } metadata
        && (metadata.GetMetadata<IAuthorizeData>() is not null || metadata.GetMetadata<AuthorizationPolicy>() is not null)
        && metadata.GetMetadata<IAllowAnonymous>() is null;

    /// <summary>Loopback, or no address at all (an in-memory server, a Unix socket): the request comes from this machine.</summary>
    private static bool FromThisMachine(IPAddress? remote) =>
        remote is null || IPAddress.IsLoopback(remote.IsIPv4MappedToIPv6 ? remote.MapToIPv4() : remote);

    private static bool SameOrigin(string origin, HostString host)
    {
        if (!Uri.TryCreate(origin, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || !host.HasValue)
        {
            return false; // "null" (a sandboxed frame, a file) and anything unparsable
        }

        if (!string.Equals(Name(uri.Host), Name(host.Host), StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        // Without a port in Host, the page came by its scheme's default port (e.g. through a proxy that ends TLS).
        return host.Port is { } port ? uri.Port == port : uri.IsDefaultPort;
    }

    private bool HostAllowed(HttpContext ctx, bool trusted, IList<string> allowedHosts)
    {
        var host = ctx.Request.Host;
        if (!host.HasValue)
        {
            return false;
        }

        string name = Name(host.Host);
        foreach (string allowed in allowedHosts)
        {
            if (string.Equals(allowed, name, StringComparison.OrdinalIgnoreCase) || string.Equals(allowed, host.Value, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        bool loopbackName = name.Equals("localhost", StringComparison.OrdinalIgnoreCase)
                            || (IPAddress.TryParse(name, out var literal) && IPAddress.IsLoopback(literal));
        if (_bound is null)
        {
            // In the user's app: loopback names, or any name the app serves once a token or a policy guards the routes
            // (a rebinding page has neither the token nor the site's cookies).
            return loopbackName || trusted;
        }

        // On a server of its own: the port it listens on, and a name of the address it is bound to.
        int local = ctx.Connection.LocalPort;
        if (local != 0 && (host.Port ?? 80) != local)
        {
            return false;
        }

        if (IPAddress.IsLoopback(_bound))
        {
            return loopbackName;
        }

        // Beyond loopback (always with a token): an address literal of where it listens — bound to every address, the
        // connection reached one of this machine's, so any literal names it — or this machine's name (or its FQDN).
        bool any = _bound.Equals(IPAddress.Any) || _bound.Equals(IPAddress.IPv6Any);
        return loopbackName
               || (IPAddress.TryParse(name, out var named) && (any || named.Equals(_bound)))
               || IsMachineName(name);
    }

    private static bool IsMachineName(string name)
    {
        string machine = Dns.GetHostName();
        return name.Equals(machine, StringComparison.OrdinalIgnoreCase)
               || (name.Length > machine.Length && name.StartsWith(machine + ".", StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>A host name for comparison: IPv6 brackets and a trailing dot removed.</summary>
    private static string Name(string host) => host.Trim('[', ']').TrimEnd('.');

    /// <summary>A header value as an error repeats it: at most 100 characters, controls replaced.</summary>
    internal static string Printable(string value)
    {
        string cut = value.Length > 100 ? value[..100] + "…" : value;
        return new string(cut.Select(c => char.IsControl(c) ? '?' : c).ToArray());
    }
}
