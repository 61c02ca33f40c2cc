namespace MemLens.Sampling;

/// <summary>Thrown by a source when the process it reads has exited; the sampler stops that source.</summary>
public sealed class TargetExitedException : Exception
{
    public TargetExitedException() : base("The process has exited.") { }

    public TargetExitedException(string message) : base(message) { }

    public TargetExitedException(string message, Exception inner) : base(message, inner) { }

    /// <summary>The process id that exited, when known.</summary>
    public int ProcessId { get; init; }
}
