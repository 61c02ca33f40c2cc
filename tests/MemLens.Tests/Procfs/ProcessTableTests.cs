using System.Globalization;
using MemLens.Procfs;
using Xunit;

namespace MemLens.Tests.Procfs;

public class ProcessTableTests
{
    [Fact]
    public void Lists_a_started_child_with_its_name_command_line_and_figures()
    {
        using var child = ProcfsSourceLiveTests.StartSleep();

        var info = Assert.Single(ProcessTable.List(), p => p.ProcessId == child.Pid);

        Assert.Equal("sleep", info.Name);
        Assert.Equal("sleep 60", info.CommandLine);
        Assert.Equal(ProcessRuntime.Other, info.Runtime);
        Assert.Null(info.RuntimeVersion);
        Assert.True(info.Rss > 0 && info.Virtual >= info.Rss);
        Assert.True(info.Pss > 0 && info.Pss <= info.Rss);
        Assert.NotNull(info.Swap);
        Assert.InRange(info.Uptime!.Value, TimeSpan.Zero, TimeSpan.FromMinutes(1));
    }

    [Fact]
    public void The_test_process_itself_is_dotnet_with_its_runtime_version()
    {
        var self = ProcessTable.Read(Environment.ProcessId)!;

        Assert.Equal(ProcessRuntime.DotNet, self.Runtime);
        Assert.Equal(Environment.Version.ToString(), self.RuntimeVersion);
    }

    [Fact]
    public void Uptime_follows_the_process_start_time()
    {
        var self = ProcessTable.Read(Environment.ProcessId)!;
        var expected = DateTime.Now - System.Diagnostics.Process.GetCurrentProcess().StartTime;

        Assert.True(Math.Abs((self.Uptime!.Value - expected).TotalSeconds) < 2, $"{self.Uptime} vs {expected}");
    }

    [Fact]
    public void Kernel_threads_and_zombies_are_left_out_unless_asked_for()
    {
        var (parent, zombie) = ProcfsSourceLiveTests.StartZombie();
        using (parent)
        {
            Assert.Null(ProcessTable.Read(zombie));
            Assert.Null(ProcessTable.Read(2)); // kthreadd
            var withThreads = ProcessTable.Read(2, new ProcessTableOptions { IncludeKernelThreads = true });
            Assert.Equal("kthreadd", withThreads!.Name);
            Assert.Null(withThreads.Rss);
        }
    }

    [Fact]
    public void A_missing_process_is_null()
    {
        Assert.Null(ProcessTable.Read(ProcfsSourceLiveTests.MissingPid));
    }

    [Fact]
    public void Options_switch_off_the_costly_reads()
    {
        var self = ProcessTable.Read(Environment.ProcessId, new ProcessTableOptions { ReadPss = false, DetectRuntime = false })!;

        Assert.Null(self.Pss);
        Assert.Equal(ProcessRuntime.Other, self.Runtime);
    }

    [GoToolchainFact]
    public void A_running_go_program_is_go_with_its_toolchain_version()
    {
        string dir = Directory.CreateTempSubdirectory("memlens-go-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(dir, "main.go"), "package main\nimport (\"fmt\"; \"os\")\nfunc main() { fmt.Println(\"ready\"); b := make([]byte, 1); os.Stdin.Read(b) }\n");
            File.WriteAllText(Path.Combine(dir, "go.mod"), "module waiter\ngo 1.18\n");
            string binary = Path.Combine(dir, "waiter");
            var build = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo(GoExecutables.GoToolchain!, ["build", "-o", binary, "."])
            {
                WorkingDirectory = dir,
                RedirectStandardError = true,
            })!;
            string buildErrors = build.StandardError.ReadToEnd();
            build.WaitForExit();
            Assert.True(build.ExitCode == 0, "go build: " + buildErrors);
            string goVersion = ChildProcess.Run(GoExecutables.GoToolchain!, "env", "GOVERSION").Trim();

            using var child = ChildProcess.Start(binary, [], "ready");
            var info = ProcessTable.Read(child.Pid);

            Assert.True(info is not null, $"PID {child.Pid} could not be read");
            Assert.Equal(ProcessRuntime.Go, info.Runtime);
            Assert.Equal(goVersion, info.RuntimeVersion);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Clock_ticks_come_from_sysconf()
    {
        string expected = ChildProcess.Run("getconf", "CLK_TCK").Trim();
        Assert.Equal(long.Parse(expected, CultureInfo.InvariantCulture), ClockTicks.PerSecond);
    }
}
