using System.Globalization;
using System.Text;

namespace MemLens.Procfs;

/// <summary>
/// Recognises .NET processes. A .NET process (unless diagnostics are disabled) listens on a socket
/// named <c>dotnet-diagnostic-&lt;pid&gt;-&lt;key&gt;-socket</c> in its temp directory; failing that, a
/// process that loaded CoreCLR maps <c>libcoreclr.so</c>, whose directory also names the runtime version.
/// </summary>
/// <remarks>
/// The socket name holds the pid as the target sees it, which differs from ours inside a pid namespace
/// (containers); the maps check covers those. One instance caches the listing of each temp directory,
/// so a whole process table costs one directory listing, not one per process.
/// </remarks>
internal sealed class DotNetDetection
{
    private const int MaxMapsBytes = 8 << 20;
    private const int MaxEnvironBytes = 256 * 1024;
    private readonly Dictionary<string, Dictionary<int, List<long>>> _socketsByDirectory = new(StringComparer.Ordinal);

    /// <summary>Detects .NET for <paramref name="pid"/>; <paramref name="version"/> when libcoreclr.so's folder names it.</summary>
    public bool IsDotNet(string procRoot, int pid, out string? version)
    {
        string pidDir = Path.Combine(procRoot, pid.ToString(CultureInfo.InvariantCulture));
        var maps = BoundedFile.TryReadPrefix(Path.Combine(pidDir, "maps"), MaxMapsBytes, 64 * 1024);
        if (maps is not null && TryFindCoreClr(maps, out version))
        {
            return true;
        }

        version = null;
        // The socket's key is the process's start time: a socket left behind by an earlier process with the same
        // PID (killed with SIGKILL, so it could not remove it) does not count.
        var stat = BoundedFile.TryReadPrefix(Path.Combine(pidDir, "stat"), 4096);
        long? start = stat is not null && ProcStatParser.TryParseStartTime(stat, out long ticks) ? ticks : null;
        if (HasSocket("/tmp", pid, start))
        {
            return true;
        }

        var environ = BoundedFile.TryReadPrefix(Path.Combine(pidDir, "environ"), MaxEnvironBytes);
        string? tmpDir = environ is null ? null : FindEnvironmentValue(environ, "TMPDIR"u8);
        return tmpDir is not null && tmpDir.StartsWith('/') && HasSocket(tmpDir, pid, start);
    }

    /// <summary>
    /// Finds libcoreclr.so in /proc/&lt;pid&gt;/maps content. The version is the folder name when the
    /// library sits in a shared runtime (…/Microsoft.NETCore.App/&lt;version&gt;/libcoreclr.so).
    /// </summary>
    public static bool TryFindCoreClr(ReadOnlySpan<byte> maps, out string? version)
    {
        version = null;
        int at = maps.IndexOf("/libcoreclr.so"u8);
        if (at < 0)
        {
            return false;
        }

        int lineStart = maps[..at].LastIndexOf((byte)'\n') + 1;
        int pathStart = maps[lineStart..at].IndexOf((byte)'/');
        if (pathStart < 0)
        {
            return true;
        }

        var dir = maps[(lineStart + pathStart)..at];
        int slash = dir.LastIndexOf((byte)'/');
        if (slash > 0 && dir[..slash].EndsWith("/Microsoft.NETCore.App"u8))
        {
            version = Encoding.UTF8.GetString(dir[(slash + 1)..]);
        }

        return true;
    }

    /// <summary>Finds KEY=value in NUL-separated /proc/&lt;pid&gt;/environ content.</summary>
    public static string? FindEnvironmentValue(ReadOnlySpan<byte> environ, ReadOnlySpan<byte> key)
    {
        while (!environ.IsEmpty)
        {
            int end = environ.IndexOf((byte)0);
            var entry = end < 0 ? environ : environ[..end];
            if (entry.Length > key.Length && entry.StartsWith(key) && entry[key.Length] == (byte)'=')
            {
                return Encoding.UTF8.GetString(entry[(key.Length + 1)..]);
            }

            environ = end < 0 ? default : environ[(end + 1)..];
        }

        return null;
    }

    // Whether the directory holds a socket of this pid whose key is its start time (any key when that is unknown).
    private bool HasSocket(string directory, int pid, long? start)
    {
        if (!_socketsByDirectory.TryGetValue(directory, out var sockets))
        {
            sockets = [];
            try
            {
                foreach (string path in Directory.EnumerateFiles(directory, DiagnosticSocketName.Pattern))
                {
                    if (DiagnosticSocketName.TryParse(Path.GetFileName(path.AsSpan()), out int socketPid, out long key) && socketPid > 0)
                    {
                        if (!sockets.TryGetValue(socketPid, out var keys))
                        {
                            sockets[socketPid] = keys = [];
                        }

                        keys.Add(key);
                    }
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // An unreadable temp directory tells nothing; the maps check still applies.
            }

            _socketsByDirectory[directory] = sockets;
        }

        return sockets.TryGetValue(pid, out var found) && (start is null || found.Contains(start.Value));
    }
}
