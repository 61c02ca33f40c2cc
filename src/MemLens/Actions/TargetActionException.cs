namespace MemLens.Actions;

/// <summary>An action on another process failed; <see cref="Exception.Message"/> is one line for people, e.g. "process 4242 exited during the snapshot".</summary>
public sealed class TargetActionException : Exception
{
    public TargetActionException()
    {
    }

    public TargetActionException(string message) : base(message)
    {
    }

    public TargetActionException(string message, Exception innerException) : base(message, innerException)
    {
    }
}
