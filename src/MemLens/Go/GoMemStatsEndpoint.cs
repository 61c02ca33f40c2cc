using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Net.Sockets;

namespace MemLens.Go;

/// <summary>
/// Checks and normalises the URL of a Go program's <c>net/http/pprof</c> or <c>expvar</c> endpoint, and says which
/// URLs to poll. Loopback only unless the caller allows remote hosts: MemLens binds and reads locally by default.
/// </summary>
public static class GoMemStatsEndpoint
{
    /// <summary>Path of net/http/pprof's heap profile; polled with <c>debug=1</c> (text, with a runtime.MemStats section).</summary>
    public const string HeapProfilePath = "/debug/pprof/heap";

    /// <summary>Path of expvar's JSON, whose <c>memstats</c> member is runtime.MemStats.</summary>
    public const string ExpvarPath = "/debug/vars";

    private const string PprofIndexPath = "/debug/pprof";

    /// <summary>
    /// Validates <paramref name="url"/>: an absolute <c>http://</c> or <c>https://</c> URL whose host is a loopback
    /// address (<c>127.0.0.0/8</c>, <c>::1</c>) or the name <c>localhost</c>, or any host when
    /// <paramref name="allowRemote"/> is true. Other names count as remote: nothing is resolved here.
    /// </summary>
    /// <param name="url">E.g. <c>http://127.0.0.1:6060</c>, <c>http://localhost:6060/debug/vars</c>, <c>http://[::1]:6060/debug/pprof/</c>.</param>
    /// <param name="allowRemote">Whether a non-loopback host is accepted (the tool's <c>--allow-remote</c>).</param>
    /// <param name="baseUri">
    /// The normalised URL: when its path ends with <c>/debug/vars</c> or <c>/debug/pprof/heap</c>, that endpoint
    /// exactly (the heap profile with <c>debug=1</c>, other query parameters kept); otherwise a base ending with
    /// <c>/</c> (a path such as <c>/debug/pprof/</c> is cut back to the prefix before it) under which both are tried,
    /// see <see cref="Candidates"/>. Null on failure.
    /// </param>
    /// <param name="error">One line saying what is wrong; null on success.</param>
    public static bool TryCreate(string url, bool allowRemote, [NotNullWhen(true)] out Uri? baseUri, [NotNullWhen(false)] out string? error)
    {
        baseUri = null;
        error = null;
        string text = (url ?? "").Trim();
        if (text.Length == 0)
        {
            error = "no URL given for the Go program's pprof or expvar endpoint (e.g. http://127.0.0.1:6060)";
            return false;
        }

        if (!Uri.TryCreate(text, UriKind.Absolute, out Uri? uri))
        {
            error = $"'{text}' is not a URL; give the Go program's address, e.g. http://127.0.0.1:6060";
            return false;
        }

        if (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
        {
            error = $"'{text}': only http:// and https:// URLs are supported, e.g. http://127.0.0.1:6060";
            return false;
        }

        if (string.IsNullOrEmpty(uri.Host))
        {
            error = $"'{text}' has no host; give the Go program's address, e.g. http://127.0.0.1:6060";
            return false;
        }

        if (!allowRemote && !IsLoopback(uri))
        {
            error = $"{uri.Host} is not a loopback address (127.0.0.1, ::1, localhost): polling another machine needs --allow-remote";
            return false;
        }

        baseUri = Normalize(uri);
        return true;
    }

    /// <summary>
    /// True when <paramref name="uri"/>'s host is a loopback IP address (IPv4 <c>127.0.0.0/8</c>, IPv6 <c>::1</c>, or
    /// IPv4-mapped <c>::ffff:127.x.x.x</c>) or the name <c>localhost</c>. No DNS lookup is made.
    /// </summary>
    public static bool IsLoopback(Uri uri)
    {
        ArgumentNullException.ThrowIfNull(uri);
        if (uri.HostNameType is UriHostNameType.IPv4 or UriHostNameType.IPv6)
        {
            if (!IPAddress.TryParse(uri.DnsSafeHost, out IPAddress? address))
            {
                return false;
            }

            if (address.AddressFamily == AddressFamily.InterNetworkV6 && address.IsIPv4MappedToIPv6)
            {
                address = address.MapToIPv4();
            }

            return IPAddress.IsLoopback(address);
        }

        string host = uri.DnsSafeHost.TrimEnd('.');
        return string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>
    /// The URLs to poll, in order: the endpoint itself when <paramref name="baseUri"/> names <c>/debug/vars</c> or
    /// <c>/debug/pprof/heap</c>; otherwise <c>debug/pprof/heap?debug=1</c> then <c>debug/vars</c> under it (the second
    /// is asked when the first answers 404 or has no runtime.MemStats).
    /// </summary>
    public static IReadOnlyList<Uri> Candidates(Uri baseUri)
    {
        ArgumentNullException.ThrowIfNull(baseUri);
        Uri normalized = Normalize(baseUri);
        string path = normalized.AbsolutePath;
        if (path.EndsWith(ExpvarPath, StringComparison.Ordinal) || path.EndsWith(HeapProfilePath, StringComparison.Ordinal))
        {
            return [normalized];
        }

        return [new Uri(normalized, "debug/pprof/heap?debug=1"), new Uri(normalized, "debug/vars")];
    }

    private static Uri Normalize(Uri uri)
    {
        string path = uri.AbsolutePath.TrimEnd('/');
        var builder = new UriBuilder(uri) { Fragment = "" };
        if (path.EndsWith(ExpvarPath, StringComparison.Ordinal))
        {
            builder.Path = path;
            return builder.Uri;
        }

        if (path.EndsWith(HeapProfilePath, StringComparison.Ordinal))
        {
            // debug=0 (the default) answers a gzipped protobuf without MemStats: always ask for the text form.
            builder.Path = path;
            builder.Query = WithDebug1(uri.Query);
            return builder.Uri;
        }

        if (path.EndsWith(PprofIndexPath, StringComparison.Ordinal))
        {
            path = path[..^PprofIndexPath.Length];
        }

        builder.Path = path + "/";
        builder.Query = "";
        return builder.Uri;
    }

    private static string WithDebug1(string query)
    {
        var kept = query.TrimStart('?')
            .Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Where(p => !p.Equals("debug", StringComparison.Ordinal) && !p.StartsWith("debug=", StringComparison.Ordinal));
        return string.Join('&', kept.Append("debug=1"));
    }
}
