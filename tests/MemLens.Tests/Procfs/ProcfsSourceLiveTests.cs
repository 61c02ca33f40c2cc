using System.Diagnostics;
using System.Globalization;
using MemLens.Metrics;
using MemLens.Procfs;
using MemLens.Sampling;
using Xunit;

namespace MemLens.Tests.Procfs;

/// <summary>Reads real child processes and checks the figures against ps and smaps, the independent references.</summary>
public class ProcfsSourceLiveTests
{
    /// <summary>A pid that cannot exist: far above any pid_max (at most 2^22 on Linux).</summary>
    internal const int MissingPid = 2_000_000_000;

    internal static ChildProcess StartSleep() => ChildProcess.Start("sleep", ["60"]);

    /// <summary>A child that builds and keeps a 64 MiB string (every page touched), then idles.</summary>
    internal static ChildProcess StartAllocating64MiB()
    {
        if (ChildProcess.FindOnPath("perl") is string perl)
        {
            return ChildProcess.Start(perl, ["-e", "$x = 'a' x (64 << 20); $| = 1; print qq(ready\\n); sleep 60"], "ready");
        }

        string python = ChildProcess.FindOnPath("python3") ?? throw new InvalidOperationException("Neither perl nor python3 is installed.");
        return ChildProcess.Start(python, ["-c", "import sys, time; x = b'a' * (64 << 20); print('ready', flush=True); time.sleep(60)"], "ready");
    }

    /// <summary>`ps -o rss=,vsz=` in bytes.</summary>
    private static (long Rss, long Vsz) Ps(int pid)
    {
        string[] parts = ChildProcess.Run("ps", "-o", "rss=,vsz=", "-p", pid.ToString(CultureInfo.InvariantCulture))
            .Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return (long.Parse(parts[0], CultureInfo.InvariantCulture) * 1024, long.Parse(parts[1], CultureInfo.InvariantCulture) * 1024);
    }

    internal static void AssertWithinOnePercent(double expected, double actual, string what) =>
        Assert.True(Math.Abs(expected - actual) <= expected * 0.01, $"{what}: expected {expected}, got {actual}");

    [Theory]
    [InlineData("sleep")]
    [InlineData("alloc64")]
    public void Rss_and_vsz_match_ps_within_one_percent(string which)
    {
        using var child = which == "sleep" ? StartSleep() : StartAllocating64MiB();
        using var source = new ProcfsSource(child.Pid);
        var writer = new NonAllocatingWriter();

        var before = Ps(child.Pid);
        source.Sample(writer);
        var after = Ps(child.Pid);

        double rss = writer[MetricCatalog.ProcessRss];
        double vsz = writer[MetricCatalog.ProcessVirtual];
        var closest = Math.Abs(before.Rss - rss) <= Math.Abs(after.Rss - rss) ? before : after;
        AssertWithinOnePercent(closest.Rss, rss, "RSS");
        AssertWithinOnePercent(closest.Vsz, vsz, "VSZ");
        if (which == "alloc64")
        {
            Assert.True(writer[MetricCatalog.ProcessAnon] >= 64 << 20, "the 64 MiB string is resident anonymous memory");
        }
    }

    [Fact]
    public void Writes_every_process_metric_that_this_kernel_provides()
    {
        using var child = StartSleep();
        using var source = new ProcfsSource(child.Pid);
        var writer = new NonAllocatingWriter();

        source.Sample(writer);

        foreach (var metric in new[]
        {
            MetricCatalog.ProcessRss, MetricCatalog.ProcessVirtual, MetricCatalog.ProcessShared, MetricCatalog.ProcessCode,
            MetricCatalog.ProcessData, MetricCatalog.ProcessAnon, MetricCatalog.ProcessFile, MetricCatalog.ProcessShmem,
            MetricCatalog.ProcessSwap, MetricCatalog.ProcessPageTables, MetricCatalog.ProcessRssPeak, MetricCatalog.ProcessThreads,
        })
        {
            Assert.True(writer.Has(metric), metric.Name);
        }

        Assert.Equal(1, writer[MetricCatalog.ProcessThreads]);
        // RSS = anon + file + shmem within one read of status. statm (the RSS written) is a separate read, and
        // a child that has just been exec'd is still mapping its libraries, so the two reads may differ.
        Assert.Equal(source.LastStatus.VmRss, writer[MetricCatalog.ProcessAnon] + writer[MetricCatalog.ProcessFile] + writer[MetricCatalog.ProcessShmem]);
        Assert.Equal("procfs", source.Name);
        Assert.Equal(TimeSpan.FromSeconds(1), source.Interval);
    }

    [Fact]
    public void A_child_that_exits_gives_TargetExitedException_with_its_pid()
    {
        var child = StartSleep();
        using var source = new ProcfsSource(child.Pid);
        source.Sample(new NonAllocatingWriter());

        int pid = child.Pid;
        child.Dispose(); // kills and reaps

        var ex = Assert.Throws<TargetExitedException>(() => source.Sample(new NonAllocatingWriter()));
        Assert.Equal(pid, ex.ProcessId);
    }

    /// <summary>
    /// Starts a process whose child exits after <paramref name="lifetime"/> and is never reaped, so it
    /// stays a zombie; returns the parent and the child's pid.
    /// </summary>
    /// <summary>
    /// A child (`sleep <paramref name="lifetime"/>`) whose parent will never reap it, returned once the parent is that
    /// non-waiting program: sh forks the child, prints its pid, then becomes `sleep 60`. Until sh has exec'd, a child
    /// that dies is reaped by sh itself (a loaded run killed it in that window and found no zombie), so this waits.
    /// </summary>
    internal static (ChildProcess Parent, int ChildPid) StartDoomedChild(string lifetime)
    {
        var parent = ChildProcess.Start("sh", ["-c", $"sleep {lifetime} & echo $!; exec sleep 60"], captureOutput: true);
        int child = int.Parse(parent.Process.StandardOutput.ReadLine()!, CultureInfo.InvariantCulture);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!File.ReadAllText($"/proc/{parent.Pid}/cmdline").StartsWith("sleep\0", StringComparison.Ordinal))
        {
            Assert.True(DateTime.UtcNow < deadline, "sh did not exec `sleep 60` within 10 s");
            Thread.Sleep(10);
        }

        return (parent, child);
    }

    internal static void WaitUntilZombie(int pid)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!ProcStatusParser.Parse(File.ReadAllBytes($"/proc/{pid}/status")).HasExited)
        {
            Assert.True(DateTime.UtcNow < deadline, $"{pid} did not become a zombie");
            Thread.Sleep(20);
        }
    }

    /// <summary>A zombie: a doomed child killed once its parent is the program that never reaps it.</summary>
    internal static (ChildProcess Parent, int ZombiePid) StartZombie()
    {
        var (parent, pid) = StartDoomedChild("60");
        using (var child = Process.GetProcessById(pid))
        {
            child.Kill();
        }

        WaitUntilZombie(pid);
        return (parent, pid);
    }

    [Fact]
    public void A_zombie_is_reported_as_exited_not_as_zero_bytes()
    {
        var (parent, zombie) = StartZombie();
        using (parent)
        {
            using var source = new ProcfsSource(zombie);
            var writer = new NonAllocatingWriter();

            var ex = Assert.Throws<TargetExitedException>(() => source.Sample(writer));
            Assert.Equal(zombie, ex.ProcessId);
            Assert.Equal(0, writer.Writes);
        }
    }

    [Fact]
    public void A_pid_that_does_not_exist_gives_ProcessNotFoundException_with_one_clear_line()
    {
        var ex = Assert.Throws<ProcessNotFoundException>(() => new ProcfsSource(MissingPid));

        Assert.Equal($"No process with PID {MissingPid}.", ex.Message);
        Assert.Equal(MissingPid, ex.ProcessId);
        Assert.Throws<ProcessNotFoundException>(() => new SmapsRollupSource(MissingPid));
        Assert.Throws<ProcessNotFoundException>(() => new CgroupSource(MissingPid));
        Assert.Throws<ProcessNotFoundException>(() => new ProcfsSource(0));
    }

    [Fact]
    public void Permission_errors_become_an_access_denied_error_that_says_what_to_do()
    {
        // Tests run as root here, where the kernel never refuses; the translation itself is checked.
        var mapped = ProcErrors.ForOpen(new UnauthorizedAccessException("Access denied"), 123, "/proc/123/smaps_rollup", "/proc");

        var ex = Assert.IsType<ProcessAccessDeniedException>(mapped);
        Assert.Equal(123, ex.ProcessId);
        Assert.Contains("same user", ex.Message, StringComparison.Ordinal);
        Assert.Contains("root", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', ex.Message);
    }
}
