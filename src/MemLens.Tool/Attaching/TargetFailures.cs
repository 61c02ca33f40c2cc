using MemLens.Actions;
using MemLens.Tool.Cli;

namespace MemLens.Tool.Attaching;

/// <summary>The exit code for an action on another process that failed.</summary>
internal static class TargetFailures
{
    public static int ExitCode(TargetActionException ex)
    {
        ArgumentNullException.ThrowIfNull(ex);
        return ex.Failure switch
        {
            TargetActionFailure.NotFound => ExitCodes.ProcessNotFound,
            TargetActionFailure.AccessDenied => ExitCodes.AccessDenied,
            TargetActionFailure.Exited => ExitCodes.TargetExited,
            _ => ExitCodes.Error,
        };
    }
}
