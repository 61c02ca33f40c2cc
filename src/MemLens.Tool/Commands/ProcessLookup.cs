using MemLens.Formatting;
using MemLens.Procfs;

namespace MemLens.Tool.Commands;

/// <summary>Finds the process a user means by name.</summary>
internal static class ProcessLookup
{
    /// <summary>
    /// The one process whose command name equals <paramref name="name"/>, or else whose command line's
    /// program (first word, without its folder) equals it. Several matches are an error that lists them.
    /// </summary>
    public static (int? Pid, string? Error) ByName(string name)
    {
        var options = new ProcessTableOptions { ReadPss = false, DetectRuntime = false };
        var all = ProcessTable.List(options).Where(p => p.ProcessId != Environment.ProcessId).ToList();
        var matches = all.Where(p => p.Name == name).ToList();
        if (matches.Count == 0)
        {
            matches = all.Where(p => ProgramOf(p.CommandLine) == name || p.CommandLine.Split(' ').Skip(1).Take(1).Any(a => Path.GetFileName(a) == name)).ToList();
        }

        return matches.Count switch
        {
            0 => (null, $"No process named '{name}' that this user can read. 'memlens ps' lists them."),
            1 => (matches[0].ProcessId, null),
            _ => (null, $"{matches.Count} processes are named '{name}' ({string.Join(", ", matches.Take(10).Select(p => p.ProcessId))}); give the PID instead."),
        };
    }

    /// <summary>
    /// A short name for titles: the command line or name, or "?" when the process is gone; control characters
    /// shown as escapes (the process chooses its name: ESC in it would rewrite the user's terminal).
    /// </summary>
    public static string DisplayName(int pid) =>
        ProcessTable.Read(pid, new ProcessTableOptions { ReadPss = false, DetectRuntime = false }) is { } p
            ? TerminalText.Sanitize(p.CommandLine.Length > 0 ? Shorten(p.CommandLine, 60) : p.Name)
            : "?";

    /// <summary>The program's name for file names (a recording's): <see cref="ProgramName"/>, or "process" when it is gone.</summary>
    public static string ShortName(int pid) =>
        ProcessTable.Read(pid, new ProcessTableOptions { ReadPss = false, DetectRuntime = false }) is { } p ? ProgramName(p) : "process";

    /// <summary>
    /// The program's name for the dashboard's title: the command name, or for <c>dotnet app.dll</c> the
    /// assembly's name, since every such process is called "dotnet".
    /// </summary>
    public static string ProgramName(ProcessInfo process)
    {
        ArgumentNullException.ThrowIfNull(process);
        return process.ProgramName;
    }

    /// <summary>The runtime as the dashboard API names it: <c>dotnet</c>, <c>go</c> or <c>native</c>.</summary>
    public static string RuntimeName(ProcessRuntime runtime) => runtime switch
    {
        ProcessRuntime.DotNet => "dotnet",
        ProcessRuntime.Go => "go",
        _ => "native",
    };

    private static string ProgramOf(string commandLine)
    {
        int space = commandLine.IndexOf(' ', StringComparison.Ordinal);
        return Path.GetFileName(space < 0 ? commandLine : commandLine[..space]);
    }

    private static string Shorten(string s, int max) => s.Length <= max ? s : s[..(max - 1)] + "…";
}
