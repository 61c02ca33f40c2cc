using MemLens.Procfs;
using Xunit;

namespace MemLens.Tests.Procfs;

public class CostAdaptiveIntervalTests
{
    private static CostAdaptiveInterval Make() => new(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(60), 0.001);

    [Fact]
    public void Cheap_reads_keep_the_base_interval()
    {
        var s = Make();
        Assert.Equal(TimeSpan.FromSeconds(1), s.Interval);

        s.Record(TimeSpan.FromMicroseconds(50));

        Assert.Equal(TimeSpan.FromSeconds(1), s.Interval);
    }

    [Fact]
    public void Costly_reads_stretch_the_interval_to_stay_within_budget()
    {
        var s = Make();

        s.Record(TimeSpan.FromMilliseconds(12.7)); // smaps_rollup of a 512 MiB process

        Assert.Equal(12.7, s.Interval.TotalSeconds, 3);
        Assert.True(s.SmoothedCost.TotalSeconds / s.Interval.TotalSeconds <= 0.001 + 1e-9);
    }

    [Fact]
    public void Interval_is_capped()
    {
        var s = Make();
        s.Record(TimeSpan.FromSeconds(1));
        Assert.Equal(TimeSpan.FromSeconds(60), s.Interval);
    }

    [Fact]
    public void Cost_rises_at_once_and_falls_slowly()
    {
        var s = Make();
        s.Record(TimeSpan.FromMilliseconds(2));
        s.Record(TimeSpan.FromMilliseconds(20));
        Assert.Equal(20, s.SmoothedCost.TotalMilliseconds, 3);

        s.Record(TimeSpan.FromMilliseconds(4));
        Assert.Equal(16, s.SmoothedCost.TotalMilliseconds, 3); // a quarter of the way down
        Assert.Equal(TimeSpan.FromMilliseconds(4), s.LastCost);
        Assert.Equal(16, s.Interval.TotalSeconds, 3);
    }

    [Fact]
    public void Bad_arguments_are_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new CostAdaptiveInterval(TimeSpan.Zero, TimeSpan.FromSeconds(1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new CostAdaptiveInterval(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new CostAdaptiveInterval(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new CostAdaptiveInterval(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), double.NaN));
    }

    [Fact]
    public void SmapsRollupSource_adapts_to_its_measured_cost()
    {
        using var source = new SmapsRollupSource(Environment.ProcessId, TimeSpan.FromMilliseconds(1), TimeSpan.FromSeconds(60), budgetFraction: 0.001);

        source.Sample(new NonAllocatingWriter());

        // The interval is the read's cost × 1000, within the 1 ms … 60 s bounds: a loaded machine can make one read
        // cost over 60 ms of CPU, and a kernel that accounts thread time coarsely can measure a cheap read as 0.
        // SmoothedCost is a TimeSpan, truncated to 100 ns ticks, and × 1000 that is up to 0.1 ms off the interval
        // (a fresh-clone run: 2.7437 vs 2.7438 s): compared within 0.2 ms. Not by rounding to 3 decimals, which fails
        // when the two straddle a rounding boundary (another fresh-clone run: 8.3275 vs 8.3274999 s).
        double expected = Math.Clamp(source.SmoothedCost.TotalSeconds * 1000, 0.001, 60);
        Assert.Equal(expected, source.Interval.TotalSeconds, tolerance: 0.0002);
    }

    [Fact]
    public void The_cost_of_a_read_is_the_threads_cpu_time_so_waiting_does_not_count()
    {
        // Waiting (as a read does while the machine's cores are busy) costs no CPU time…
        var waiting = ThreadCpuClock.Start();
        Thread.Sleep(300);
        var waited = waiting.Elapsed();
        Assert.True(waited < TimeSpan.FromMilliseconds(50), $"300 ms asleep measured as {waited.TotalMilliseconds} ms");

        // …while work does: the kernel's time for /proc reads is charged to the reading thread.
        var working = ThreadCpuClock.Start();
        for (int i = 0; i < 200; i++)
        {
            File.ReadAllBytes("/proc/self/smaps");
        }

        Assert.True(working.Elapsed() > TimeSpan.FromMilliseconds(1), $"200 reads of smaps measured as {working.Elapsed().TotalMilliseconds} ms");
    }
}
