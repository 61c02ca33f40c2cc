namespace MemLens.Tool.Cli;

/// <summary>Exit codes of every memlens command; listed in the root command's help.</summary>
internal static class ExitCodes
{
    public const int Ok = 0;
    public const int Error = 1;
    public const int Usage = 2;
    public const int ProcessNotFound = 3;
    public const int AccessDenied = 4;
    public const int TargetExited = 5;
    public const int UnsupportedOs = 6;
    public const int IncompleteSnapshot = 7;

    public const string HelpText =
        "Exit codes: 0 ok (or stopped by --duration / Ctrl+C), 1 error (e.g. the dashboard's port is busy, not a .NET process, " +
        "an unreadable snapshot file, a snapshot that timed out), 2 bad arguments (or a short type name that matches several types in paths), " +
        "3 no such process, 4 permission denied, 5 the watched process exited (a partial snapshot is still saved), 6 not Linux, " +
        "7 an incomplete heap snapshot: its walk lost events (saved, marked incomplete), or a diff with a partial snapshot. " +
        "run returns the program's own exit code.";
}
