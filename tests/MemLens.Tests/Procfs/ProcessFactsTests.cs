using System.Diagnostics;
using MemLens.Procfs;
using Xunit;

namespace MemLens.Tests.Procfs;

public class ProcessFactsTests
{
    [Fact]
    public void A_live_process_gives_its_command_line_runtime_and_the_memory_settings_of_its_environment_only()
    {
        var psi = new ProcessStartInfo("/bin/sleep") { UseShellExecute = false, ArgumentList = { "30" } };
        psi.Environment["GODEBUG"] = "madvdontneed=0,gctrace=1";
        psi.Environment["MALLOC_ARENA_MAX"] = "2";
        psi.Environment["DOTNET_GCHeapHardLimit"] = "0x10000000";
        psi.Environment["DOTNET_gcServer"] = "1";
        psi.Environment["SECRET_TOKEN"] = "do-not-record";
        using var sleep = Process.Start(psi)!;
        try
        {
            var facts = ProcessFacts.Read(sleep.Id);

            Assert.Equal(sleep.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), facts["target.pid"]);
            Assert.Equal("sleep", facts["target.name"]);
            Assert.Equal("/bin/sleep 30", facts["target.command_line"]);
            Assert.Equal("native", facts["target.runtime"]);
            Assert.True(DateTimeOffset.Parse(facts["target.started_at"], System.Globalization.CultureInfo.InvariantCulture) > DateTimeOffset.UtcNow.AddMinutes(-1));
            Assert.Equal("madvdontneed=0,gctrace=1", facts["env.GODEBUG"]);
            Assert.Equal("2", facts["env.MALLOC_ARENA_MAX"]);
            Assert.Equal("0x10000000", facts["env.DOTNET_GCHeapHardLimit"]);
            Assert.Equal("1", facts["env.DOTNET_gcServer"]);
            Assert.DoesNotContain(facts.Keys, k => k.Contains("SECRET", StringComparison.Ordinal) || k == "env.PATH");
        }
        finally
        {
            sleep.Kill();
            sleep.WaitForExit();
        }
    }

    [Fact]
    public void A_process_that_is_gone_gives_only_its_pid()
    {
        var facts = ProcessFacts.Read(int.MaxValue - 1);
        Assert.Equal(["target.pid"], facts.Keys);
    }

    [Fact]
    public void The_environment_is_bounded_and_tolerates_odd_entries()
    {
        var block = new List<byte>();
        foreach (string entry in new[] { "=x", "NOEQUALS", "GOGC=off", "" }.Concat(Enumerable.Range(0, 100).Select(i => $"MALLOC_X{i}=" + new string('v', 2000))))
        {
            block.AddRange(System.Text.Encoding.UTF8.GetBytes(entry));
            block.Add(0);
        }

        var vars = ProcessFacts.Environment(block.ToArray()).ToList();

        Assert.Equal(64, vars.Count);
        Assert.Equal(("GOGC", "off"), vars[0]);
        Assert.All(vars, v => Assert.True(v.Value.Length <= 1025));
    }
}
