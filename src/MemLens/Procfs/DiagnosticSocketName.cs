using System.Globalization;

namespace MemLens.Procfs;

/// <summary>
/// The name a .NET runtime gives its diagnostic socket: <c>dotnet-diagnostic-&lt;pid&gt;-&lt;key&gt;-socket</c>, in its
/// temp directory. The key is the process's start time in clock ticks since boot (/proc/&lt;pid&gt;/stat field 22,
/// checked on live processes), which tells a process's own socket from one left behind by an earlier process with
/// the same PID that was killed with SIGKILL and could not remove it.
/// </summary>
public static class DiagnosticSocketName
{
    /// <summary>The file pattern of every diagnostic socket.</summary>
    public const string Pattern = "dotnet-diagnostic-*-socket";

    private const string Prefix = "dotnet-diagnostic-";
    private const string Suffix = "-socket";

    /// <summary>Parses a socket's file name (without its directory) into the pid and the key.</summary>
    public static bool TryParse(ReadOnlySpan<char> fileName, out int pid, out long key)
    {
        pid = -1;
        key = -1;
        if (fileName.Length < Prefix.Length + Suffix.Length || !fileName.StartsWith(Prefix, StringComparison.Ordinal) || !fileName.EndsWith(Suffix, StringComparison.Ordinal))
        {
            return false;
        }

        var middle = fileName[Prefix.Length..^Suffix.Length];
        int dash = middle.IndexOf('-');
        if (dash <= 0 || dash >= middle.Length - 1
            || !int.TryParse(middle[..dash], NumberStyles.None, CultureInfo.InvariantCulture, out pid)
            || !long.TryParse(middle[(dash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out key))
        {
            pid = -1;
            key = -1;
            return false;
        }

        return true;
    }

    /// <summary>
    /// True when the socket at <paramref name="path"/> belongs to the process using <paramref name="pid"/> now: its pid
    /// matches and so does its key, the process's start time (any key when that cannot be read).
    /// </summary>
    public static bool BelongsTo(string path, int pid, long? startTicks) =>
        TryParse(Path.GetFileName(path.AsSpan()), out int socketPid, out long key) && socketPid == pid
        && (startTicks is null || key == startTicks.Value);
}
