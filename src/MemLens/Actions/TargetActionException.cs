namespace MemLens.Actions;

/// <summary>Why an action on another process failed, for exit codes and HTTP statuses.</summary>
public enum TargetActionFailure
{
    /// <summary>Anything else; the message says what.</summary>
    Other,

    /// <summary>There is no process with that id.</summary>
    NotFound,

    /// <summary>The process has no .NET diagnostic port (not .NET, or diagnostics disabled).</summary>
    NotDotNet,

    /// <summary>The diagnostic port belongs to another user.</summary>
    AccessDenied,

    /// <summary>The process exited while the action ran.</summary>
    Exited,

    /// <summary>Another action of the same kind is running on that process.</summary>
    Busy,

    /// <summary>The action did not finish in time.</summary>
    Timeout,
}

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

    public TargetActionException(string message, TargetActionFailure failure, Exception? innerException = null) : base(message, innerException)
    {
        Failure = failure;
    }

    /// <summary>What kind of failure it was. Default: <see cref="TargetActionFailure.Other"/>.</summary>
    public TargetActionFailure Failure { get; }
}
