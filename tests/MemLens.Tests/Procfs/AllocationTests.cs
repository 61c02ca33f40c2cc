using MemLens.Procfs;
using MemLens.Sampling;
using Xunit;

namespace MemLens.Tests.Procfs;

/// <summary>
/// Sampling every second for days must not feed the host's GC: after warm-up a sample allocates
/// nothing. Users rely on this, so it is asserted, not just benchmarked.
/// </summary>
public class AllocationTests
{
    private static long AllocatedBySampling(IMetricSource source, int samples)
    {
        var writer = new NonAllocatingWriter();
        for (int i = 0; i < 50; i++)
        {
            source.Sample(writer); // warm-up: JIT tiers, buffer growth
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < samples; i++)
        {
            source.Sample(writer);
        }

        return GC.GetAllocatedBytesForCurrentThread() - before;
    }

    [Fact]
    public void ProcfsSource_sample_allocates_nothing()
    {
        using var source = new ProcfsSource(Environment.ProcessId);
        Assert.Equal(0, AllocatedBySampling(source, 500));
    }

    [Fact]
    public void SmapsRollupSource_sample_allocates_nothing()
    {
        using var source = new SmapsRollupSource(Environment.ProcessId);
        Assert.Equal(0, AllocatedBySampling(source, 200));
    }

    [Fact]
    public void CgroupSource_sample_allocates_nothing()
    {
        using var source = new CgroupSource(Environment.ProcessId);
        Assert.Equal(0, AllocatedBySampling(source, 500));
    }
}
