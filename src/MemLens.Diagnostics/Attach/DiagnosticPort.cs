using System.Globalization;
using System.Net.Sockets;
using MemLens.Actions;
using Microsoft.Diagnostics.NETCore.Client;

namespace MemLens.Diagnostics.Attach;

/// <summary>
/// Finds and opens a .NET process's diagnostic port (the Unix socket <c>dotnet-diagnostic-&lt;pid&gt;-&lt;key&gt;-socket</c>
/// in the temp directory) and turns every way that can fail into one line for people: no such process, not a .NET
/// process, permission denied, the process exited on the way.
/// </summary>
public static class DiagnosticPort
{
    /// <summary>A client for <paramref name="processId"/>; throws <see cref="TargetActionException"/> when the port is not there.</summary>
    public static DiagnosticsClient Connect(int processId)
    {
        EnsureRunning(processId);
        if (FindSocket(processId) is null)
        {
            throw new TargetActionException(
                $"PID {processId} ({ProcessName(processId)}) has no .NET diagnostic port: it is not a .NET process, " +
                "or it runs with DOTNET_EnableDiagnostics=0.", TargetActionFailure.NotDotNet);
        }

        return new DiagnosticsClient(processId);
    }

    /// <summary>Runs one diagnostic IPC call and explains its failure in one line.</summary>
    public static T Call<T>(int processId, string what, Func<T> call)
    {
        try
        {
            return call();
        }
        catch (Exception ex) when (ex is not TargetActionException and not OperationCanceledException)
        {
            throw Explain(processId, what, ex);
        }
    }

    /// <summary>The one-line reason an IPC call with <paramref name="processId"/> failed.</summary>
    public static TargetActionException Explain(int processId, string what, Exception ex)
    {
        if (!IsRunning(processId))
        {
            return new TargetActionException($"PID {processId} exited while memlens tried to {what}.", TargetActionFailure.Exited, ex);
        }

        if (FindSocket(processId) is { } socket && IsAccessDenied(socket))
        {
            return new TargetActionException(
                $"permission denied on PID {processId}'s diagnostic port {socket}: it belongs to another user; run memlens as that user (or root).", TargetActionFailure.AccessDenied, ex);
        }

        string detail = (ex.InnerException ?? ex).Message.Split('\n')[0].Trim();
        return new TargetActionException($"could not {what} in PID {processId} ({ProcessName(processId)}): {detail}", ex);
    }

    public static string TempDirectory => Path.GetTempPath().TrimEnd('/') is { Length: > 0 } t ? t : "/tmp";

    /// <summary>
    /// The diagnostic socket of <paramref name="processId"/>, or null: in the target's TMPDIR when its environment says
    /// (DiagnosticsClient looks there too), else in memlens's temp directory.
    /// </summary>
    public static string? FindSocket(int processId)
    {
        // A process killed with SIGKILL leaves its socket behind, and PIDs are reused: only the socket whose key is the
        // start time of the process now using the PID is its own (DiagnosticSocketName).
        string pattern = $"dotnet-diagnostic-{processId.ToString(CultureInfo.InvariantCulture)}-*-socket";
        long? start = MemLens.Procfs.ProcStatParser.TryReadStartTime(processId, out long ticks) ? ticks : null;
        foreach (string? directory in new[] { TargetTempDirectory(processId), TempDirectory })
        {
            if (directory is null)
            {
                continue;
            }

            try
            {
                if (Directory.EnumerateFiles(directory, pattern)
                        .Where(path => MemLens.Procfs.DiagnosticSocketName.BelongsTo(path, processId, start))
                        .OrderByDescending(File.GetLastWriteTimeUtc).FirstOrDefault() is { } socket)
                {
                    return socket;
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // An unreadable directory holds nothing memlens could use.
            }
        }

        return null;
    }

    // TMPDIR from /proc/<pid>/environ (NUL-separated KEY=value), when readable and absolute.
    private static string? TargetTempDirectory(int processId)
    {
        try
        {
            string environ = File.ReadAllText($"/proc/{processId.ToString(CultureInfo.InvariantCulture)}/environ");
            foreach (string entry in environ.Split('\0'))
            {
                if (entry.StartsWith("TMPDIR=/", StringComparison.Ordinal))
                {
                    return entry["TMPDIR=".Length..].TrimEnd('/');
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
        }

        return null;
    }

    public static bool IsRunning(int processId) =>
        Directory.Exists("/proc/" + processId.ToString(CultureInfo.InvariantCulture))
        && !IsZombie(processId);

    public static void EnsureRunning(int processId)
    {
        if (processId <= 0 || !IsRunning(processId))
        {
            throw new TargetActionException($"no process with PID {processId}.", TargetActionFailure.NotFound);
        }
    }

    /// <summary>The process's name from /proc/&lt;pid&gt;/comm, or "?".</summary>
    public static string ProcessName(int processId)
    {
        try
        {
            return File.ReadAllText($"/proc/{processId.ToString(CultureInfo.InvariantCulture)}/comm").Trim();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return "?";
        }
    }

    // A process that has exited but not been reaped by its parent still has a /proc entry.
    private static bool IsZombie(int processId) =>
        MemLens.Procfs.ProcStatParser.TryReadStateAndParent(processId, out char state, out _) && state is 'Z' or 'X';

    // Connecting to a Unix socket needs write permission on its file; the runtime creates it 0600.
    private static bool IsAccessDenied(string socketPath)
    {
        try
        {
            using var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            probe.Connect(new UnixDomainSocketEndPoint(socketPath));
            return false;
        }
        catch (SocketException ex)
        {
            return ex.SocketErrorCode == SocketError.AccessDenied;
        }
    }
}
