namespace MemLens.Procfs;

/// <summary>
/// One row of <c>memlens ps</c>: what could be read about a process. Figures are null when the
/// kernel did not give them or this user may not read them (PSS of another user's process, for one).
/// </summary>
/// <param name="ProcessId">The pid.</param>
/// <param name="Name">The command name from /proc/&lt;pid&gt;/status (at most 15 characters, as the kernel keeps it).</param>
/// <param name="CommandLine">Arguments from /proc/&lt;pid&gt;/cmdline joined by spaces; empty when unreadable or none.</param>
/// <param name="Runtime">.NET, Go or other.</param>
/// <param name="RuntimeVersion">E.g. "10.0.0" or "go1.22.3", when cheap to tell; otherwise null.</param>
/// <param name="Rss">Resident set size in bytes (VmRSS).</param>
/// <param name="Virtual">Virtual size in bytes (VmSize).</param>
/// <param name="Swap">Swapped-out bytes (VmSwap).</param>
/// <param name="Pss">Proportional set size in bytes, from smaps_rollup.</param>
/// <param name="Uptime">Time since the process started.</param>
public sealed record ProcessInfo(
    int ProcessId,
    string Name,
    string CommandLine,
    ProcessRuntime Runtime,
    string? RuntimeVersion,
    long? Rss,
    long? Virtual,
    long? Swap,
    long? Pss,
    TimeSpan? Uptime)
{
    /// <summary>
    /// The program's name for titles and file names: the command name, or for <c>dotnet app.dll</c> the assembly's
    /// name, since every such process is called "dotnet".
    /// </summary>
    public string ProgramName
    {
        get
        {
            var words = CommandLine.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            return Name == "dotnet" && words.Length > 1 && words[1].EndsWith(".dll", StringComparison.OrdinalIgnoreCase)
                ? Path.GetFileNameWithoutExtension(words[1])
                : Name;
        }
    }
}
