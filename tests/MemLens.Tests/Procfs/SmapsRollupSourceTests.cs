using System.Diagnostics;
using System.Globalization;
using MemLens.Metrics;
using MemLens.Procfs;
using MemLens.Sampling;
using Xunit;

namespace MemLens.Tests.Procfs;

public class SmapsRollupSourceTests
{
    /// <summary>Sum of the Pss: lines of /proc/PID/smaps, in bytes — what smem reports — and how many lines there were.</summary>
    private static (long Bytes, int Lines) SumOfSmapsPss(int pid)
    {
        long kib = 0;
        int lines = 0;
        foreach (string line in File.ReadLines($"/proc/{pid}/smaps"))
        {
            if (line.StartsWith("Pss:", StringComparison.Ordinal))
            {
                kib += long.Parse(line[4..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
                lines++;
            }
        }

        return (kib * 1024, lines);
    }

    [Theory]
    [InlineData("sleep")]
    [InlineData("alloc64")]
    public void Pss_matches_the_sum_over_smaps_within_one_percent(string which)
    {
        using var child = which == "sleep" ? ProcfsSourceLiveTests.StartSleep() : ProcfsSourceLiveTests.StartAllocating64MiB();
        using var source = new SmapsRollupSource(child.Pid);
        var writer = new NonAllocatingWriter();

        // PSS divides each shared page among the processes mapping it, so it moves whenever another process maps or
        // unmaps the same libraries (a parallel test run starts and ends many): compare only a read that the smaps
        // sums taken just before and just after agree on, i.e. during which the sharing did not change.
        (long Bytes, int Lines) smaps = default;
        bool steady = false;
        for (int attempt = 0; attempt < 200 && !steady; attempt++)
        {
            var before = SumOfSmapsPss(child.Pid);
            writer = new NonAllocatingWriter();
            source.Sample(writer);
            var after = SumOfSmapsPss(child.Pid);
            smaps = before;
            steady = before.Bytes == after.Bytes;
        }

        Assert.True(steady, "the sharing of the child's pages changed during each of 200 reads");

        // smaps prints each mapping's PSS truncated to whole kB, smaps_rollup rounds the exact sum once:
        // the sum of the lines is lower by up to 1 kB per mapping. For a tiny process (sleep: ~240 kB in
        // ~25 mappings) that exceeds 1 %, so the tolerance is 1 % or that rounding, whichever is larger.
        double pss = writer[MetricCatalog.ProcessPss];
        double tolerance = Math.Max(smaps.Bytes * 0.01, smaps.Lines * 1024.0);
        Assert.True(pss >= smaps.Bytes - (smaps.Bytes * 0.01) && pss - smaps.Bytes <= tolerance, $"PSS {pss}, smaps sum {smaps.Bytes} over {smaps.Lines} mappings");
        if (which == "alloc64")
        {
            ProcfsSourceLiveTests.AssertWithinOnePercent(smaps.Bytes, pss, "PSS");
        }

        Assert.True(writer[MetricCatalog.ProcessUss] <= pss);
        Assert.True(writer.Has(MetricCatalog.ProcessPssAnon) && writer.Has(MetricCatalog.ProcessPssFile));
        Assert.True(writer.Has(MetricCatalog.ProcessSwapPss) && writer.Has(MetricCatalog.ProcessLazyFree) && writer.Has(MetricCatalog.ProcessAnonHuge));
        Assert.True(source.LastCost > TimeSpan.Zero);
    }

    [Fact]
    public void A_child_that_exits_gives_TargetExitedException()
    {
        var child = ProcfsSourceLiveTests.StartSleep();
        using var source = new SmapsRollupSource(child.Pid);
        int pid = child.Pid;
        child.Dispose();

        Assert.Equal(pid, Assert.Throws<TargetExitedException>(() => source.Sample(new NonAllocatingWriter())).ProcessId);
    }

    [Fact]
    public void A_child_that_becomes_a_zombie_gives_TargetExitedException_and_writes_nothing()
    {
        // The child lives until the test kills it (not for a fixed second, which a slow machine could spend before the
        // source is opened); its parent never reaps it, so it stays a zombie.
        var (parent, pid) = ProcfsSourceLiveTests.StartDoomedChild("60");
        using (parent)
        {
            using var source = new SmapsRollupSource(pid);
            using (var child = Process.GetProcessById(pid))
            {
                child.Kill();
            }

            ProcfsSourceLiveTests.WaitUntilZombie(pid);
            var writer = new NonAllocatingWriter();

            Assert.Equal(pid, Assert.Throws<TargetExitedException>(() => source.Sample(writer)).ProcessId);
            Assert.Equal(0, writer.Writes);
        }
    }

    [Fact]
    public void Opening_a_zombie_gives_ProcessNotFoundException()
    {
        var (parent, zombie) = ProcfsSourceLiveTests.StartZombie();
        using (parent)
        {
            Assert.Equal($"No process with PID {zombie}.", Assert.Throws<ProcessNotFoundException>(() => new SmapsRollupSource(zombie)).Message);
        }
    }

    [Fact]
    public void Old_kernel_rollup_leaves_the_pss_split_absent()
    {
        using var proc = FakeProc.With(4242, ("smaps_rollup", Fixture.Bytes("handmade.kernel-4.14.smaps_rollup")));
        using var source = new SmapsRollupSource(4242, proc.Root, new CostAdaptiveInterval(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(60)));
        var writer = new NonAllocatingWriter();

        source.Sample(writer);

        Assert.Equal(15360 * 1024, writer[MetricCatalog.ProcessPss]);
        Assert.Equal(1024 * 1024, writer[MetricCatalog.ProcessLazyFree]);
        Assert.False(writer.Has(MetricCatalog.ProcessPssAnon));
        Assert.False(writer.Has(MetricCatalog.ProcessPssFile));
    }
}
