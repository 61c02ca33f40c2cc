using MemLens.Metrics;
using MemLens.Procfs;
using MemLens.Sampling;
using Xunit;

namespace MemLens.Tests.Procfs;

/// <summary>Sources fed cut-short and garbled files never throw and write only what they could read in full.</summary>
public class TruncatedFileSourceTests
{
    private const int Pid = 4242;

    [Fact]
    public void ProcfsSource_never_throws_on_any_truncation_and_writes_only_complete_values()
    {
        byte[] status = Fixture.Bytes("perl64m.status");
        byte[] statm = Fixture.Bytes("perl64m.statm");
        using var proc = FakeProc.With(Pid, ("status", status), ("statm", statm));
        using var source = new ProcfsSource(Pid, proc.Root, 4096);
        var writer = new NonAllocatingWriter();

        source.Sample(writer);
        double fullRss = writer[MetricCatalog.ProcessRss];
        double fullAnon = writer[MetricCatalog.ProcessAnon];

        for (int cut = 0; cut < status.Length; cut += 7)
        {
            proc.Write(Pid, "status", status[..cut]);
            proc.Write(Pid, "statm", statm[..(cut % statm.Length)]);
            writer.Clear();

            source.Sample(writer);

            Assert.False(writer.Has(MetricCatalog.ProcessRss) && writer[MetricCatalog.ProcessRss] != fullRss);
            Assert.False(writer.Has(MetricCatalog.ProcessAnon) && writer[MetricCatalog.ProcessAnon] != fullAnon);
        }
    }

    [Fact]
    public void ProcfsSource_on_a_pre_4_5_kernel_leaves_anon_file_shmem_absent()
    {
        using var proc = FakeProc.With(Pid, ("status", Fixture.Bytes("handmade.kernel-4.4.status")), ("statm", "30000 9500 2000 100 0 15000 0\n"u8.ToArray()));
        using var source = new ProcfsSource(Pid, proc.Root, 4096);
        var writer = new NonAllocatingWriter();

        source.Sample(writer);

        Assert.Equal(9500 * 4096, writer[MetricCatalog.ProcessRss]);
        Assert.Equal(2048 * 1024, writer[MetricCatalog.ProcessSwap]);
        Assert.False(writer.Has(MetricCatalog.ProcessAnon));
        Assert.False(writer.Has(MetricCatalog.ProcessFile));
        Assert.False(writer.Has(MetricCatalog.ProcessShmem));
    }

    [Fact]
    public void ProcfsSource_reports_an_exit_when_the_address_space_vanishes_before_the_process_is_a_zombie()
    {
        // What a process reads as between exit_mm and exit_notify: still "R (running)", statm all zeros.
        byte[] status = Fixture.Bytes("perl64m.status");
        using var proc = FakeProc.With(Pid, ("status", status), ("statm", Fixture.Bytes("perl64m.statm")));
        using var source = new ProcfsSource(Pid, proc.Root, 4096);
        var writer = new NonAllocatingWriter();
        source.Sample(writer);
        Assert.True(writer[MetricCatalog.ProcessRss] > 0);

        proc.Write(Pid, "statm", "0 0 0 0 0 0 0\n"u8.ToArray());
        writer.Clear();

        Assert.Equal(Pid, Assert.Throws<TargetExitedException>(() => source.Sample(writer)).ProcessId);
        Assert.False(writer.Has(MetricCatalog.ProcessRss));
    }

    [Fact]
    public void Buffer_grows_when_the_file_fills_it()
    {
        byte[] big = [.. Fixture.Bytes("dotnet.status"), .. System.Text.Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("Padding:\tx\n", 2000)))];
        using var proc = FakeProc.With(Pid, ("status", big), ("statm", Fixture.Bytes("dotnet.statm")));
        using var source = new ProcfsSource(Pid, proc.Root, 4096);
        var writer = new NonAllocatingWriter();

        source.Sample(writer);

        Assert.Equal(14, writer[MetricCatalog.ProcessThreads]);
    }

    [Fact]
    public void SmapsRollupSource_never_throws_on_truncation()
    {
        byte[] rollup = Fixture.Bytes("dotnet.smaps_rollup");
        using var proc = FakeProc.With(Pid, ("smaps_rollup", rollup));
        using var source = new SmapsRollupSource(Pid, proc.Root, new CostAdaptiveInterval(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(60)));
        var writer = new NonAllocatingWriter();

        for (int cut = 1; cut <= rollup.Length; cut++)
        {
            proc.Write(Pid, "smaps_rollup", rollup[..cut]);
            writer.Clear();
            source.Sample(writer);
            Assert.False(writer.Has(MetricCatalog.ProcessPss) && writer[MetricCatalog.ProcessPss] != 464572 * 1024);
        }

        Assert.Equal(464572 * 1024, writer[MetricCatalog.ProcessPss]);
    }
}
