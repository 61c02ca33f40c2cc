using System.Globalization;
using System.Net.Sockets;
using MemLens.Actions;
using MemLens.Procfs;
using MemLens.Sampling;

namespace MemLens.Diagnostics.Snapshots;

/// <summary>
/// Turns what can go wrong before and while attaching into one line for people. The kind of failure is the
/// exception's <see cref="TargetActionException.Failure"/>, so a tool can choose its exit code without parsing messages.
/// </summary>
internal static class TargetCheck
{
    /// <summary>The process as /proc shows it, or throws when it does not exist or is not .NET.</summary>
    public static ProcessInfo Require(int pid)
    {
        var info = pid > 0 ? ProcessTable.Read(pid, new ProcessTableOptions { ReadPss = false }) : null;
        if (info is null)
        {
            throw NotFound(pid);
        }

        if (info.Runtime != ProcessRuntime.DotNet)
        {
            throw new TargetActionException(
                $"process {pid} ({info.Name}) is not a .NET process (no .NET runtime loaded, no diagnostic socket); heap snapshots need a .NET process",
                TargetActionFailure.NotDotNet);
        }

        if (OwnerOf(pid) is { } owner && OwnerOf(Environment.ProcessId) is { } self && self != 0 && owner != self)
        {
            throw AccessDenied(pid, $"process {pid} ({info.Name}) belongs to user id {owner.ToString(CultureInfo.InvariantCulture)}; only that user or root can attach to it");
        }

        return info;
    }

    public static TargetActionException NotFound(int pid) =>
        new($"no process with PID {pid}", TargetActionFailure.NotFound, new ProcessNotFoundException(pid));

    public static TargetActionException AccessDenied(int pid, string message) =>
        new(message, TargetActionFailure.AccessDenied, new ProcessAccessDeniedException(message));

    public static TargetActionException Exited(int pid, string message) =>
        new(message, TargetActionFailure.Exited, new TargetExitedException(message) { ProcessId = pid });

    /// <summary>Whether the process still runs: a zombie (exited, not yet reaped by its parent) does not.</summary>
    public static bool IsAlive(int pid) => Attach.DiagnosticPort.IsRunning(pid);

    /// <summary>Explains a failure to connect to the target's diagnostic port.</summary>
    public static TargetActionException ConnectFailed(int pid, Exception ex)
    {
        if (!IsAlive(pid))
        {
            return Exited(pid, $"process {pid} exited before the snapshot started");
        }

        for (var e = (Exception?)ex; e is not null; e = e.InnerException)
        {
            if (e is UnauthorizedAccessException || e is SocketException { SocketErrorCode: SocketError.AccessDenied })
            {
                return AccessDenied(pid, $"permission denied on the diagnostic socket of process {pid}; run MemLens as the process's user or as root");
            }
        }

        return new TargetActionException(
            $"cannot connect to the diagnostic port of .NET process {pid} ({OneLine(ex.Message)}); diagnostics may be disabled (DOTNET_EnableDiagnostics=0) or the process may use another TMPDIR or container",
            ex);
    }

    public static string OneLine(string text)
    {
        text = text.ReplaceLineEndings(" ").Trim();
        return text.Length <= 200 ? text : text[..199] + "…";
    }

    /// <summary>The real user id from /proc/&lt;pid&gt;/status, or null when unreadable.</summary>
    private static int? OwnerOf(int pid)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/status"))
            {
                if (line.StartsWith("Uid:", StringComparison.Ordinal))
                {
                    var fields = line["Uid:".Length..].Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
                    return fields.Length > 1 && int.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out int uid) ? uid : null;
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
        }

        return null;
    }
}
