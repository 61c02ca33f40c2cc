namespace MemLens.Procfs;

/// <summary>
/// Thrown when the kernel refuses to let this user read a process's /proc files (EACCES/EPERM):
/// files such as smaps_rollup need the same user or root (ptrace access).
/// </summary>
public sealed class ProcessAccessDeniedException : Exception
{
    public ProcessAccessDeniedException() : base("Permission denied.") { }

    public ProcessAccessDeniedException(string message) : base(message) { }

    public ProcessAccessDeniedException(string message, Exception inner) : base(message, inner) { }

    /// <summary>Creates the exception for <paramref name="processId"/> and the file that was refused.</summary>
    public ProcessAccessDeniedException(int processId, string path, Exception? inner = null)
        : base($"Permission denied reading {path} of PID {processId}: run MemLens as the same user as the process, or as root.", inner)
    {
        ProcessId = processId;
        Path = path;
    }

    /// <summary>The process id whose file was refused.</summary>
    public int ProcessId { get; }

    /// <summary>The file that could not be read.</summary>
    public string? Path { get; }
}
