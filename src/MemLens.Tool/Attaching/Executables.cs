namespace MemLens.Tool.Attaching;

/// <summary>Finds the file a command name runs, the way a shell would: a path as given, a bare name on PATH.</summary>
internal static class Executables
{
    /// <summary>The executable <paramref name="command"/> names, or null when there is none.</summary>
    public static string? Resolve(string command)
    {
        if (command.Contains('/', StringComparison.Ordinal))
        {
            return File.Exists(command) ? Path.GetFullPath(command) : null;
        }

        foreach (string dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            string candidate = Path.Combine(dir, command);
            if (File.Exists(candidate)
                && (OperatingSystem.IsWindows() || (File.GetUnixFileMode(candidate) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0))
            {
                return candidate;
            }
        }

        return null;
    }
}
