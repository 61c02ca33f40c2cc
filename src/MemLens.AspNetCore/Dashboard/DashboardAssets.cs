using System.Collections.Frozen;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace MemLens.AspNetCore.Dashboard;

/// <summary>
/// The page's files (web/dist, embedded at build time), kept in memory with gzip and Brotli copies made once,
/// and a content hash as ETag. Written here rather than with a static-files middleware because the endpoints
/// must live inside the user's route group (so <c>RequireAuthorization()</c> covers them) and must not depend
/// on the host's middleware pipeline.
/// </summary>
internal sealed class DashboardAssets
{
    private const string ResourcePrefix = "dashboard/";
    private static readonly Lazy<DashboardAssets> s_instance = new(Load);

    private DashboardAssets(FrozenDictionary<string, Asset> assets)
    {
        Files = assets;
        ContentSecurityPolicy = PagePolicy(assets.TryGetValue("index.html", out var page) ? page.Content : []);
    }

    public static DashboardAssets Instance => s_instance.Value;

    /// <summary>Files by name, e.g. <c>index.html</c>, <c>app.js</c>.</summary>
    public FrozenDictionary<string, Asset> Files { get; }

    /// <summary>
    /// The page's Content-Security-Policy: its own files only, its inline boot script by hash (no other inline script),
    /// inline styles (uPlot sizes its elements), no plugins, no framing.
    /// </summary>
    public string ContentSecurityPolicy { get; }

    private static string PagePolicy(byte[] page)
    {
        var hashes = Regex.Matches(Encoding.UTF8.GetString(page), "<script>(.*?)</script>", RegexOptions.Singleline)
            .Select(m => $" 'sha256-{Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(m.Groups[1].Value)))}'");
        return "default-src 'self'; script-src 'self'" + string.Concat(hashes)
            + "; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
    }

    private static DashboardAssets Load()
    {
        var assembly = typeof(DashboardAssets).Assembly;
        var files = new Dictionary<string, Asset>(StringComparer.Ordinal);
        foreach (string name in assembly.GetManifestResourceNames())
        {
            if (!name.StartsWith(ResourcePrefix, StringComparison.Ordinal))
            {
                continue;
            }

            using var stream = assembly.GetManifestResourceStream(name)!;
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            string file = name[ResourcePrefix.Length..];
            files[file] = new Asset(ContentType(file), copy.ToArray());
        }

        return new DashboardAssets(files.ToFrozenDictionary(StringComparer.Ordinal));
    }

    private static string ContentType(string file) => Path.GetExtension(file) switch
    {
        ".html" => "text/html; charset=utf-8",
        ".js" => "text/javascript; charset=utf-8",
        ".css" => "text/css; charset=utf-8",
        ".svg" => "image/svg+xml",
        ".png" => "image/png",
        ".json" => "application/json",
        _ => "application/octet-stream",
    };

    /// <summary>One file with its compressed copies.</summary>
    internal sealed class Asset
    {
        public Asset(string contentType, byte[] content)
        {
            ContentType = contentType;
            Content = content;
            ETag = "\"" + Convert.ToHexString(SHA256.HashData(content).AsSpan(0, 12)) + "\"";
            Gzip = Compress(content, s => new GZipStream(s, CompressionLevel.SmallestSize, leaveOpen: true));
            Brotli = Compress(content, s => new BrotliStream(s, CompressionLevel.SmallestSize, leaveOpen: true));
        }

        public string ContentType { get; }

        public byte[] Content { get; }

        public byte[] Gzip { get; }

        public byte[] Brotli { get; }

        public string ETag { get; }

        private static byte[] Compress(byte[] content, Func<Stream, Stream> wrap)
        {
            using var output = new MemoryStream();
            using (var z = wrap(output))
            {
                z.Write(content);
            }

            return output.ToArray();
        }
    }
}
