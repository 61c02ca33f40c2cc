namespace MemLens.Tool.Commands;

/// <summary>TEMPORARY until the process table lands: finds processes by name.</summary>
internal static class ProcessLookup
{
    public static (int? Pid, string? Error) ByName(string name) => (null, $"No process named '{name}'.");

    public static string DisplayName(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/comm").Trim();
        }
        catch (IOException)
        {
            return "?";
        }
    }
}
