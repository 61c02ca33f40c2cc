using System.Globalization;

namespace MemLens.Demo.Output;

/// <summary>
/// Reads this process's resident set size from /proc/self/statm for the progress line.
/// Environment.WorkingSet would do too, but statm is one small read with no Process object behind it.
/// </summary>
internal static class SelfRss
{
    /// <summary>Resident bytes, or null where /proc is not available (not Linux).</summary>
    public static long? Read()
    {
        try
        {
            // statm: size resident shared text lib data dt, all in pages.
            var fields = File.ReadAllText("/proc/self/statm").Split(' ');
            return long.Parse(fields[1], CultureInfo.InvariantCulture) * Environment.SystemPageSize;
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }
}
