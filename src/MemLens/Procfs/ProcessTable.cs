using System.Globalization;
using System.Text;

namespace MemLens.Procfs;

/// <summary>
/// Lists the processes this user can see in /proc, with their memory figures and runtime, for
/// <c>memlens ps</c>. A process that exits while being read is left out; one whose files are partly
/// unreadable is listed with what could be read. Every read is bounded.
/// </summary>
public static class ProcessTable
{
    private const int MaxStatusBytes = 64 * 1024;
    private const int MaxCmdlineBytes = 16 * 1024;

    /// <summary>Lists every readable process, ordered by pid.</summary>
    public static IReadOnlyList<ProcessInfo> List(ProcessTableOptions? options = null) => List("/proc", options ?? new ProcessTableOptions());

    /// <summary>Reads one process; null when it does not exist (or exits meanwhile).</summary>
    public static ProcessInfo? Read(int processId, ProcessTableOptions? options = null)
    {
        options ??= new ProcessTableOptions();
        var uptime = ReadUptimeSeconds("/proc");
        return Read("/proc", processId, options, new DotNetDetection(), uptime, ClockTicks.PerSecond);
    }

    internal static IReadOnlyList<ProcessInfo> List(string procRoot, ProcessTableOptions options)
    {
        var pids = new List<int>();
        foreach (string dir in Directory.EnumerateDirectories(procRoot))
        {
            if (int.TryParse(Path.GetFileName(dir.AsSpan()), NumberStyles.None, CultureInfo.InvariantCulture, out int pid) && pid > 0)
            {
                pids.Add(pid);
            }
        }

        pids.Sort();
        var detection = new DotNetDetection();
        double? uptime = ReadUptimeSeconds(procRoot);
        long ticks = ClockTicks.PerSecond;
        var result = new List<ProcessInfo>(pids.Count);
        foreach (int pid in pids)
        {
            var info = Read(procRoot, pid, options, detection, uptime, ticks);
            if (info is not null)
            {
                result.Add(info);
            }
        }

        return result;
    }

    private static ProcessInfo? Read(string procRoot, int pid, ProcessTableOptions options, DotNetDetection detection, double? uptimeSeconds, long ticksPerSecond)
    {
        string dir = Path.Combine(procRoot, pid.ToString(CultureInfo.InvariantCulture));

        // status is readable by everyone; without it the process is gone (or hidden by hidepid).
        var statusBytes = BoundedFile.TryReadPrefix(Path.Combine(dir, "status"), MaxStatusBytes, 2048);
        if (statusBytes is null)
        {
            return null;
        }

        var status = ProcStatusParser.Parse(statusBytes);
        bool hasAddressSpace = status.Has(ProcStatusFields.VmSize) && !status.HasExited;
        if (!hasAddressSpace && !options.IncludeKernelThreads)
        {
            return null;
        }

        string name = ProcText.TryFindField(statusBytes, "Name"u8, out var nameBytes) ? Encoding.UTF8.GetString(nameBytes) : "";
        string commandLine = ReadCommandLine(Path.Combine(dir, "cmdline"));

        long? pss = null;
        if (options.ReadPss && hasAddressSpace)
        {
            var rollupBytes = BoundedFile.TryReadPrefix(Path.Combine(dir, "smaps_rollup"), 64 * 1024, 2048);
            if (rollupBytes is not null)
            {
                var rollup = SmapsRollupParser.Parse(rollupBytes);
                pss = rollup.Has(SmapsRollupFields.Pss) ? rollup.Pss : null;
            }
        }

        TimeSpan? uptime = null;
        var statBytes = BoundedFile.TryReadPrefix(Path.Combine(dir, "stat"), 4096, 1024);
        if (statBytes is not null && uptimeSeconds is double up && ProcStatParser.TryParseStartTime(statBytes, out long startTicks))
        {
            double seconds = up - ((double)startTicks / ticksPerSecond);
            uptime = TimeSpan.FromSeconds(Math.Max(seconds, 0));
        }

        var runtime = ProcessRuntime.Other;
        string? version = null;
        if (options.DetectRuntime && hasAddressSpace)
        {
            if (detection.IsDotNet(procRoot, pid, out version))
            {
                runtime = ProcessRuntime.DotNet;
            }
            else if (GoBuildInfo.TryRead(Path.Combine(dir, "exe"), out version))
            {
                runtime = ProcessRuntime.Go;
            }
        }

        return new ProcessInfo(
            pid,
            name,
            commandLine,
            runtime,
            version,
            status.Has(ProcStatusFields.VmRss) ? status.VmRss : null,
            status.Has(ProcStatusFields.VmSize) ? status.VmSize : null,
            status.Has(ProcStatusFields.VmSwap) ? status.VmSwap : null,
            pss,
            uptime);
    }

    // cmdline is NUL-separated arguments (with a trailing NUL); a process may rewrite it freely.
    private static string ReadCommandLine(string path)
    {
        var bytes = BoundedFile.TryReadPrefix(path, MaxCmdlineBytes, 1024);
        if (bytes is null || bytes.Length == 0)
        {
            return "";
        }

        int end = bytes.Length;
        while (end > 0 && bytes[end - 1] == 0)
        {
            end--;
        }

        for (int i = 0; i < end; i++)
        {
            if (bytes[i] == 0)
            {
                bytes[i] = (byte)' ';
            }
        }

        return Encoding.UTF8.GetString(bytes, 0, end);
    }

    private static double? ReadUptimeSeconds(string procRoot)
    {
        var bytes = BoundedFile.TryReadPrefix(Path.Combine(procRoot, "uptime"), 256, 256);
        return bytes is not null && ProcStatParser.TryParseUptime(bytes, out double seconds) ? seconds : null;
    }
}
