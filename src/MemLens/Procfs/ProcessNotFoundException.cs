namespace MemLens.Procfs;

/// <summary>Thrown when a source is opened for a process id that does not exist.</summary>
public sealed class ProcessNotFoundException : Exception
{
    public ProcessNotFoundException() : base("No such process.") { }

    public ProcessNotFoundException(string message) : base(message) { }

    public ProcessNotFoundException(string message, Exception inner) : base(message, inner) { }

    /// <summary>Creates the exception for <paramref name="processId"/>: "No process with PID 123."</summary>
    public ProcessNotFoundException(int processId, Exception? inner = null)
        : base($"No process with PID {processId}.", inner)
    {
        ProcessId = processId;
    }

    /// <summary>The process id that was not found.</summary>
    public int ProcessId { get; }
}
