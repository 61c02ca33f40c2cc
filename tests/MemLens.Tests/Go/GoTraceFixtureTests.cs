using MemLens.Go;
using Xunit;

namespace MemLens.Tests.Go;

/// <summary>Real output of Go 1.19 (see Fixtures/go/README.md): every trace line must parse.</summary>
public class GoTraceFixtureTests
{
    private static string[] Lines() =>
        File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "Fixtures", "go", "go1.19.gctrace.txt"));

    [Fact]
    public void Every_gc_and_scav_line_of_the_go1_19_capture_parses()
    {
        int gc = 0, scav = 0, other = 0;
        foreach (string line in Lines())
        {
            GoTraceLine parsed = GoTraceLine.Parse(line);
            Assert.True(parsed.Kind != GoTraceLineKind.Malformed, $"{parsed.Reason}: {line}");
            if (line.StartsWith("gc ", StringComparison.Ordinal))
            {
                Assert.Equal(GoTraceLineKind.Gc, parsed.Kind);
                Assert.NotNull(parsed.Gc!.StacksBytes);
                Assert.NotNull(parsed.Gc.GlobalsBytes);
                Assert.Equal(3, parsed.Gc.ClockPhases.Count);
                Assert.Equal(5, parsed.Gc.CpuPhases.Count);
                gc++;
            }
            else if (line.StartsWith("scav ", StringComparison.Ordinal))
            {
                Assert.Equal(GoTraceLineKind.Scavenge, parsed.Kind);
                Assert.Equal(GoScavengeTraceFormat.WorkTotal, parsed.Scavenge!.Format);
                scav++;
            }
            else
            {
                Assert.Equal(GoTraceLineKind.Other, parsed.Kind);
                other++;
            }
        }

        Assert.True(gc > 100, $"only {gc} gc lines");
        Assert.True(scav > 100, $"only {scav} scav lines");
        Assert.Equal(3, other); // two "# command-line-arguments" and "gctrace sample: done"
    }

    [Fact]
    public void Forced_lines_of_the_capture_are_flagged()
    {
        var parsed = Lines().Select(l => GoTraceLine.Parse(l)).ToList();
        Assert.Equal(2, parsed.Count(p => p.Gc is { Forced: true }));
        Assert.Equal(1, parsed.Count(p => p.Scavenge is { Forced: true }));
    }

    [Fact]
    public void First_gc_line_figures_match_the_text()
    {
        const string Line = "gc 1 @0.032s 1%: 0.038+1.3+0.070 ms clock, 0.076+0/0.50/0.71+0.14 ms cpu, 3->3->0 MB, 4 MB goal, 0 MB stacks, 0 MB globals, 2 P";
        Assert.Contains(Line, Lines());
        GoGcTraceEvent gc = GoTraceLine.Parse(Line).Gc!;
        Assert.Equal(1, gc.Number);
        Assert.Equal(TimeSpan.FromMilliseconds(32), gc.SinceStart);
        Assert.Equal(1, gc.CpuPercent);
        Assert.Equal(TimeSpan.FromTicks(380), gc.SweepTerminationClock); // 0.038 ms = 38 µs
        Assert.Equal(TimeSpan.FromTicks(13_000), gc.ConcurrentMarkClock);
        Assert.Equal(TimeSpan.FromTicks(700), gc.MarkTerminationClock);
        Assert.Equal(TimeSpan.FromTicks(760), gc.SweepTerminationCpu);
        Assert.Equal(TimeSpan.Zero, gc.AssistCpu);
        Assert.Equal(TimeSpan.FromTicks(5_000), gc.BackgroundCpu);
        Assert.Equal(TimeSpan.FromTicks(7_100), gc.IdleCpu);
        Assert.Equal(TimeSpan.FromTicks(1_400), gc.MarkTerminationCpu);
        Assert.Equal(3L << 20, gc.HeapStartBytes);
        Assert.Equal(3L << 20, gc.HeapEndBytes);
        Assert.Equal(0, gc.HeapLiveBytes);
        Assert.Equal(4L << 20, gc.HeapGoalBytes);
        Assert.Equal(0, gc.StacksBytes);
        Assert.Equal(0, gc.GlobalsBytes);
        Assert.Equal(2, gc.Processors);
        Assert.False(gc.Forced);
    }

    [Fact]
    public void Forced_gc_line_figures_match_the_text()
    {
        const string Line = "gc 102 @0.700s 3%: 0.018+0.17+0.002 ms clock, 0.037+0/0.070/0.12+0.004 ms cpu, 118->118->54 MB, 140 MB goal, 0 MB stacks, 0 MB globals, 2 P (forced)";
        Assert.Contains(Line, Lines());
        GoGcTraceEvent gc = GoTraceLine.Parse(Line).Gc!;
        Assert.Equal(102, gc.Number);
        Assert.Equal(TimeSpan.FromMilliseconds(700), gc.SinceStart);
        Assert.Equal(3, gc.CpuPercent);
        Assert.Equal(TimeSpan.FromTicks(1_700), gc.ConcurrentMarkClock);
        Assert.Equal(TimeSpan.FromTicks(700), gc.BackgroundCpu);
        Assert.Equal(TimeSpan.FromTicks(1_200), gc.IdleCpu);
        Assert.Equal(118L * 1024 * 1024, gc.HeapStartBytes);
        Assert.Equal(54L * 1024 * 1024, gc.HeapLiveBytes);
        Assert.Equal(140L * 1024 * 1024, gc.HeapGoalBytes);
        Assert.True(gc.Forced);
    }

    [Fact]
    public void Forced_scav_line_figures_match_the_text()
    {
        const string Line = "scav 102744 KiB work, 138640 KiB total, 88% util (forced)";
        Assert.Contains(Line, Lines());
        GoScavengeTraceEvent scav = GoTraceLine.Parse(Line).Scavenge!;
        Assert.Equal(102744L * 1024, scav.ReleasedBytes);
        Assert.Equal(138640L * 1024, scav.HeapReleasedBytes);
        Assert.Equal(88, scav.UtilizationPercent);
        Assert.Null(scav.BackgroundReleasedBytes);
        Assert.Null(scav.Generation);
        Assert.True(scav.Forced);
    }
}
