using System.Globalization;
using System.Text;

namespace MemLens.Procfs;

/// <summary>
/// The facts about a process that its series do not carry, read once when watching starts: command line, runtime
/// and version, start time, and the environment variables that change how its memory behaves (GODEBUG, GOGC,
/// GOMEMLIMIT, MALLOC_*, DOTNET_GC* and the like, readable only for a process of the same user). Keys are the
/// ones docs/recording.md lists; the doctor and the report read them.
/// </summary>
public static class ProcessFacts
{
    // Environment variables that change memory behaviour, by prefix (case-sensitive, as the runtimes read them;
    // .NET reads DOTNET_ and COMPlus_ settings case-insensitively, so both cases of "gc" are matched below).
    private static readonly string[] s_prefixes =
        ["GODEBUG", "GOGC", "GOMEMLIMIT", "GOMAXPROCS", "MALLOC_", "GLIBC_TUNABLES", "LD_PRELOAD", "DOTNET_GC", "DOTNET_gc", "COMPlus_GC", "COMPlus_gc", "DOTNET_TieredPGO"];

    /// <summary>Most variables kept, and the longest value: an environment is the user's to fill.</summary>
    private const int MaxVariables = 64;

    private const int MaxValueLength = 1024;

    /// <summary>
    /// Reads the facts of process <paramref name="processId"/>; what cannot be read is left out. Never throws for a
    /// process that is gone or unreadable (the result is then nearly empty).
    /// </summary>
    public static Dictionary<string, string> Read(int processId) => Read("/proc", processId);

    internal static Dictionary<string, string> Read(string procRoot, int processId)
    {
        var facts = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["target.pid"] = processId.ToString(CultureInfo.InvariantCulture),
        };
        var info = procRoot == "/proc" ? ProcessTable.Read(processId, new ProcessTableOptions { ReadPss = false, DetectRuntime = true }) : null;
        if (info is not null)
        {
            facts["target.name"] = info.ProgramName;
            facts["target.command_name"] = info.Name;
            if (info.CommandLine.Length > 0)
            {
                facts["target.command_line"] = Truncate(info.CommandLine, 4096);
            }

            facts["target.runtime"] = info.Runtime switch
            {
                ProcessRuntime.DotNet => "dotnet",
                ProcessRuntime.Go => "go",
                _ => "native",
            };
            if (info.RuntimeVersion is { } version)
            {
                facts["target.runtime_version"] = version;
            }

            if (info.Uptime is { } uptime)
            {
                facts["target.started_at"] = (DateTimeOffset.UtcNow - uptime).ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
            }
        }

        try
        {
            byte[] environ = File.ReadAllBytes(Path.Combine(procRoot, processId.ToString(CultureInfo.InvariantCulture), "environ"));
            foreach (var (key, value) in Environment(environ))
            {
                facts["env." + key] = value;
            }
        }
#pragma warning disable CA1031 // Another user's process: its environment is private, and the facts are simply fewer.
        catch (Exception)
#pragma warning restore CA1031
        {
        }

        return facts;
    }

    /// <summary>The memory-relevant variables of an environ block (NUL-separated KEY=VALUE), at most 64.</summary>
    internal static IEnumerable<(string Key, string Value)> Environment(ReadOnlySpan<byte> environ)
    {
        var found = new List<(string, string)>();
        while (!environ.IsEmpty && found.Count < MaxVariables)
        {
            int end = environ.IndexOf((byte)0);
            var entry = end < 0 ? environ : environ[..end];
            environ = end < 0 ? [] : environ[(end + 1)..];
            int eq = entry.IndexOf((byte)'=');
            if (eq <= 0)
            {
                continue;
            }

            string key = Encoding.UTF8.GetString(entry[..eq]);
            if (Array.Exists(s_prefixes, p => key.StartsWith(p, StringComparison.Ordinal)))
            {
                found.Add((key, Truncate(Encoding.UTF8.GetString(entry[(eq + 1)..]), MaxValueLength)));
            }
        }

        return found;
    }

    private static string Truncate(string s, int max) => s.Length <= max ? s : s[..max] + "…";
}
