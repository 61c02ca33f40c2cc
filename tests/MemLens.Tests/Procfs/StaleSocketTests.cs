using System.Diagnostics;
using System.Globalization;
using MemLens.Procfs;
using Xunit;

namespace MemLens.Tests.Procfs;

/// <summary>
/// A .NET process killed with SIGKILL leaves its diagnostic socket in /tmp, and the kernel reuses PIDs: a process
/// that later gets that PID is not .NET. The socket's key (the start time of the process that made it) tells them apart.
/// </summary>
public sealed class StaleSocketTests
{
    [Fact]
    public void A_socket_left_by_an_earlier_process_with_the_same_pid_does_not_make_a_process_dotnet()
    {
        using var sleep = ChildProcess.Start("sleep", ["60"]);
        Assert.True(ProcStatParser.TryReadStartTime(sleep.Pid, out long start));
        string stale = SocketPath(sleep.Pid, start - 100);
        File.WriteAllBytes(stale, []);
        try
        {
            var info = ProcessTable.Read(sleep.Pid, new ProcessTableOptions { ReadPss = false, DetectRuntime = true });
            Assert.NotNull(info);
            Assert.NotEqual(ProcessRuntime.DotNet, info.Runtime);
        }
        finally
        {
            File.Delete(stale);
        }
    }

    [Fact]
    public void A_socket_whose_key_is_the_start_time_of_the_process_is_its_own()
    {
        using var sleep = ChildProcess.Start("sleep", ["60"]);
        Assert.True(ProcStatParser.TryReadStartTime(sleep.Pid, out long start));
        string own = SocketPath(sleep.Pid, start);
        File.WriteAllBytes(own, []);
        try
        {
            // A real .NET process names its socket this way (checked on a live one in the Diagnostics tests).
            var info = ProcessTable.Read(sleep.Pid, new ProcessTableOptions { ReadPss = false, DetectRuntime = true });
            Assert.Equal(ProcessRuntime.DotNet, info!.Runtime);
        }
        finally
        {
            File.Delete(own);
        }
    }

    [Fact]
    public void Start_time_read_from_proc_is_the_one_ps_reports()
    {
        using var sleep = ChildProcess.Start("sleep", ["60"]);
        Assert.True(ProcStatParser.TryReadStartTime(sleep.Pid, out long start));
        // ps's etimes is whole seconds since start; /proc/uptime minus start/CLK_TCK gives the same to within a second.
        long etimes = long.Parse(ChildProcess.Run("ps", "-o", "etimes=", "-p", sleep.Pid.ToString(CultureInfo.InvariantCulture)).Trim(), CultureInfo.InvariantCulture);
        double uptime = double.Parse(File.ReadAllText("/proc/uptime").Split(' ')[0], CultureInfo.InvariantCulture);
        Assert.InRange(uptime - (double)start / ClockTicks.PerSecond, etimes - 1.5, etimes + 1.5);
        Assert.False(ProcStatParser.TryReadStartTime(int.MaxValue, out _));
    }

    private static string SocketPath(int pid, long key) =>
        Path.Combine(Path.GetTempPath(), $"dotnet-diagnostic-{pid.ToString(CultureInfo.InvariantCulture)}-{key.ToString(CultureInfo.InvariantCulture)}-socket");
}
