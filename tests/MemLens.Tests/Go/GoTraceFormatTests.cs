using System.Text;
using System.Text.Json;
using FsCheck;
using FsCheck.Fluent;
using MemLens.Go;
using Xunit;

namespace MemLens.Tests.Go;

/// <summary>The formats of other Go versions, from published output where it could be found (each line says where).</summary>
public class GoTraceFormatTests
{
    // Go 1.5, golang/go#12228 ("build: performance degradation with Go 1.5"): 5 clock phases,
    // CPU with two extra single figures before the assist/background/idle group.
    [Fact]
    public void Go1_5_line_with_five_clock_phases()
    {
        GoGcTraceEvent gc = GoTraceLine.Parse("gc 3 @0.966s 0%: 0+1.0+1.0+0+1.0 ms clock, 0+1.0+0+1.0/0/0+3.0 ms cpu, 6->7->5 MB, 7 MB goal, 8 P").Gc!;
        Assert.Equal(3, gc.Number);
        Assert.Equal(5, gc.ClockPhases.Count);
        Assert.Equal(TimeSpan.Zero, gc.SweepTerminationClock);
        Assert.Equal(TimeSpan.FromMilliseconds(2), gc.ConcurrentMarkClock); // 1.0 + 1.0 + 0
        Assert.Equal(TimeSpan.FromMilliseconds(1), gc.MarkTerminationClock);
        Assert.Equal(TimeSpan.FromMilliseconds(1), gc.AssistCpu);
        Assert.Equal(TimeSpan.FromMilliseconds(3), gc.MarkTerminationCpu);
        Assert.Equal(6L << 20, gc.HeapStartBytes);
        Assert.Equal(7L << 20, gc.HeapGoalBytes);
        Assert.Null(gc.StacksBytes);
        Assert.Null(gc.GlobalsBytes);
        Assert.Equal(8, gc.Processors);
    }

    // Go 1.6, golang/go#15068 ("runtime: efficiency of collection 1.5.3 vs 1.6"), including a forced GC.
    [Theory]
    [InlineData("gc 49 @4.380s 0%: 4.8+5.2+0.54+0.35+0.60 ms clock, 19+5.2+0+4.5/0.006/7.2+2.4 ms cpu, 124->125->58 MB, 130 MB goal, 32 P", 49, false)]
    [InlineData("gc 59 @5.182s 0%: 0.092+0+0+0+6.8 ms clock, 0.37+0+0+4.1/0.025/5.8+27 ms cpu, 79->79->79 MB, 79 MB goal, 32 P (forced)", 59, true)]
    public void Go1_6_lines(string line, long number, bool forced)
    {
        GoGcTraceEvent gc = GoTraceLine.Parse(line).Gc!;
        Assert.Equal(number, gc.Number);
        Assert.Equal(forced, gc.Forced);
        Assert.Equal(32, gc.Processors);
        Assert.Equal(7, gc.CpuPhases.Count);
    }

    // Go 1.9, golang/go#14812 (comment of 2017-11-07); Go 1.16, golang/go#44554 (the log timestamp before "gc" removed).
    [Theory]
    [InlineData("gc 290 @256.195s 3%: 0.25+100+0.10 ms clock, 2.0+208/199/0+0.84 ms cpu, 400->410->210 MB, 420 MB goal, 8 P", 400, 410, 210, 420)]
    [InlineData("gc 93 @3074.095s 0%: 0.074+32+0.036 ms clock, 0.59+0.37/64/113+0.29 ms cpu, 269->274->204 MB, 276 MB goal, 8 P", 269, 274, 204, 276)]
    public void Go1_7_to_1_17_lines_have_no_stacks_or_globals(string line, long start, long end, long live, long goal)
    {
        GoGcTraceEvent gc = GoTraceLine.Parse(line).Gc!;
        Assert.Equal(start << 20, gc.HeapStartBytes);
        Assert.Equal(end << 20, gc.HeapEndBytes);
        Assert.Equal(live << 20, gc.HeapLiveBytes);
        Assert.Equal(goal << 20, gc.HeapGoalBytes);
        Assert.Null(gc.StacksBytes);
        Assert.Null(gc.GlobalsBytes);
        Assert.Equal(3, gc.ClockPhases.Count);
    }

    [Fact]
    public void Go1_9_line_figures()
    {
        GoGcTraceEvent gc = GoTraceLine.Parse("gc 290 @256.195s 3%: 0.25+100+0.10 ms clock, 2.0+208/199/0+0.84 ms cpu, 400->410->210 MB, 420 MB goal, 8 P").Gc!;
        Assert.Equal(TimeSpan.FromMilliseconds(256_195), gc.SinceStart);
        Assert.Equal(TimeSpan.FromMilliseconds(100), gc.ConcurrentMarkClock);
        Assert.Equal(TimeSpan.FromMilliseconds(208), gc.AssistCpu);
        Assert.Equal(TimeSpan.FromMilliseconds(199), gc.BackgroundCpu);
        Assert.Equal(TimeSpan.Zero, gc.IdleCpu);
        Assert.Equal(TimeSpan.FromTicks(8_400), gc.MarkTerminationCpu);
    }

    // Newest scav format: the format string of printScavTrace in runtime/mgcscavenge.go (bg/eager, "KiB now"),
    // lines as published in a Chinese Go runtime tutorial found through the code search (program: 200 MB live,
    // set to nil, runtime.GC(), debug.FreeOSMemory()). runtime/extern.go documents "KiB total" while the code
    // prints "KiB now": both are accepted.
    [Fact]
    public void Newest_scav_lines_with_bg_and_eager_work()
    {
        GoScavengeTraceEvent s = GoTraceLine.Parse("scav 0 KiB work (bg), 186960 KiB work (eager), 208712 KiB now, 9% util (forced)").Scavenge!;
        Assert.Equal(GoScavengeTraceFormat.WorkBackgroundEager, s.Format);
        Assert.Equal(0, s.BackgroundReleasedBytes);
        Assert.Equal(186960L * 1024, s.EagerReleasedBytes);
        Assert.Equal(186960L * 1024, s.ReleasedBytes);
        Assert.Equal(208712L * 1024, s.HeapReleasedBytes);
        Assert.Equal(9, s.UtilizationPercent);
        Assert.True(s.Forced);

        GoScavengeTraceEvent plain = GoTraceLine.Parse("scav 0 KiB work (bg), 0 KiB work (eager), 4344 KiB now, 99% util").Scavenge!;
        Assert.False(plain.Forced);
        Assert.Equal(4344L * 1024, plain.HeapReleasedBytes);
    }

    // Go 1.19 runtime/mgcscavenge.go prints " [controller reset]" instead of "(forced)" when the scavenger's
    // controller was reset (line built from that format string).
    [Fact]
    public void Scav_controller_reset_suffix()
    {
        GoScavengeTraceEvent s = GoTraceLine.Parse("scav 64 KiB work, 2048 KiB total, 50% util [controller reset]").Scavenge!;
        Assert.True(s.ControllerReset);
        Assert.Equal(64L * 1024, s.ReleasedBytes);
    }

    // Go 1.14–1.16 printed a generation first and "KB" (built from the format as remembered, not from
    // captured output: tolerated rather than verified).
    [Fact]
    public void Scav_with_generation_and_KB()
    {
        GoScavengeTraceEvent s = GoTraceLine.Parse("scav 12 1024 KB work, 4096 KB total, 97% util").Scavenge!;
        Assert.Equal(12, s.Generation);
        Assert.Equal(1024L * 1024, s.ReleasedBytes);
        Assert.Equal(4096L * 1024, s.HeapReleasedBytes);
    }

    // Go 1.6, golang/go#15212 ("runtime: document scvg lines with GODEBUG=gctrace=1").
    [Fact]
    public void Scvg_lines_of_go1_6()
    {
        GoScavengeTraceEvent summary = GoTraceLine.Parse("scvg0: inuse: 0, idle: 0, sys: 1, released: 0, consumed: 1 (MB)").Scavenge!;
        Assert.Equal(GoScavengeTraceFormat.ScvgSummary, summary.Format);
        Assert.Equal(0, summary.Generation);
        Assert.Equal(0, summary.InUseBytes);
        Assert.Equal(1L << 20, summary.SysBytes);
        Assert.Equal(0, summary.HeapReleasedBytes);
        Assert.Equal(1L << 20, summary.ConsumedBytes);
        Assert.Null(summary.UtilizationPercent);

        GoScavengeTraceEvent released = GoTraceLine.Parse("scvg1: 0 MB released").Scavenge!;
        Assert.Equal(GoScavengeTraceFormat.ScvgReleased, released.Format);
        Assert.Equal(1, released.Generation);
        Assert.Equal(0, released.ReleasedBytes);
    }

    // Go 1.13 printed "scvg:" without a number (as remembered; tolerated).
    [Fact]
    public void Scvg_without_number()
    {
        GoScavengeTraceEvent s = GoTraceLine.Parse("scvg: inuse: 3, idle: 58, sys: 61, released: 57, consumed: 4 (MB)").Scavenge!;
        Assert.Null(s.Generation);
        Assert.Equal(58L << 20, s.IdleBytes);
    }

    [Theory]
    [InlineData("gc 1 @0.032s 1%: 0.038+1.3+0.070 ms clock, 0.076+0/0.50/0.71+0.14 ms cpu, 3->3->0 MB, 4 MB goal, 0 MB stacks, 0 MB glo")]
    [InlineData("gc 1 @0.032s 1%: 0.038+1.3+0.070 ms clock, 0.076+0/0.50/0.71+0.14 ms cpu, 3->3->0 MB, 4 MB goal, 0 MB stacks, 0 MB globals, 2")]
    [InlineData("gc 1 @0.032s 1%: 0.038+1.3+0.070 ms clock, 0.076+0/0.50/0.71+0.14 ms cpu, 3->3->")]
    [InlineData("gc 1 @0.032s 1%: 0.038+1.3+0.070 ms clock, 0.076+0/0.50/0.71+0.14 ms cpu, 3->x->0 MB, 4 MB goal, 2 P")]
    [InlineData("gc 1 @0.032s 1%: 0.038+1.x+0.070 ms clock, 0.076+0/0.50/0.71+0.14 ms cpu, 3->3->0 MB, 4 MB goal, 2 P")]
    [InlineData("gc 1 @0.032s 1%: 0.038+1.3+0.070 ms clock, 0.076+0/0.50+0.14 ms cpu, 3->3->0 MB, 4 MB goal, 2 P")]
    [InlineData("gc 1 @0.032s 1%: 0.038+1.3+0.070 ms clock, 0.076+0/0.50/0.71+0.14 ms cpu, 3->3->0 MB, 2 P")]
    [InlineData("gc 1 @0.032s 1%: 0.038+1.3+0.070 ms clock, 0.076+0/0.50/0.71+0.14 ms cpu, 99999999999999999999->3->0 MB, 4 MB goal, 2 P")]
    [InlineData("gc 1 @0.032s")]
    [InlineData("gc 12")]
    [InlineData("gc 1 @0.0.32s 1%: ")]
    [InlineData("scav 102744 KiB work, 138640 KiB total, 88")]
    [InlineData("scav 102744 KiB work, 138640 KiB tot")]
    [InlineData("scav 10x KiB work, 1 KiB total, 8% util")]
    [InlineData("scav 1 MiB work, 1 KiB total, 8% util")]
    [InlineData("scvg3: inuse: 0, idle: 0, sys: 1, released: 0")]
    [InlineData("scvg3: 12 MB")]
    [InlineData("scvg: garbage")]
    public void Truncated_or_garbled_trace_lines_are_malformed(string line)
    {
        GoTraceLine parsed = GoTraceLine.Parse(line);
        Assert.Equal(GoTraceLineKind.Malformed, parsed.Kind);
        Assert.False(string.IsNullOrEmpty(parsed.Reason));
        Assert.Null(parsed.Gc);
        Assert.Null(parsed.Scavenge);
    }

    [Theory]
    [InlineData("")]
    [InlineData("hello")]
    [InlineData("gc")]
    [InlineData("gc ")]
    [InlineData("gcc -O2 main.c")]
    [InlineData("gc is fun")]
    [InlineData("gc1(1): 0+0+0 ms, 0 -> 0 MB 0 -> 0 (0-0) objects")] // Go ≤ 1.4: not supported, passed through
    [InlineData("scav")]
    [InlineData("scavenger hunt")]
    [InlineData("scvgx")]
    [InlineData("Feb 26 12:52:23.767 gc 93 @3074.095s 0%: 0.074+32+0.036 ms clock, 0.59+0.37/64/113+0.29 ms cpu, 269->274->204 MB, 276 MB goal, 8 P")]
    public void Non_trace_lines_are_other(string line) =>
        Assert.Equal(GoTraceLineKind.Other, GoTraceLine.Parse(line).Kind);

    [Fact]
    public void Trailing_carriage_return_and_spaces_are_ignored()
    {
        Assert.Equal(GoTraceLineKind.Gc, GoTraceLine.Parse("  gc 2 @0.067s 1%: 0.094+1.2+0.004 ms clock, 0.18+1.1/0.11/0+0.008 ms cpu, 3->4->1 MB, 4 MB goal, 0 MB stacks, 0 MB globals, 2 P\r").Kind);
    }

    [Fact]
    public void Unknown_field_of_a_future_format_is_skipped()
    {
        GoGcTraceEvent gc = GoTraceLine.Parse("gc 2 @0.067s 1%: 0.094+1.2+0.004 ms clock, 0.18+1.1/0.11/0+0.008 ms cpu, 3->4->1 MB, 4 MB goal, 0 MB stacks, 0 MB globals, 7 MB somethingnew, 2 P").Gc!;
        Assert.Equal(2, gc.Processors);
    }

    [Fact]
    public void Events_write_snake_case_json_in_base_units()
    {
        GoGcTraceEvent gc = GoTraceLine.Parse("gc 102 @0.700s 3%: 0.018+0.17+0.002 ms clock, 0.037+0/0.070/0.12+0.004 ms cpu, 118->118->54 MB, 140 MB goal, 0 MB stacks, 0 MB globals, 2 P (forced)", 1_700_000_000_000).Gc!;
        using var doc = JsonDocument.Parse(ToJson(gc));
        Assert.Equal("go.gc", doc.RootElement.GetProperty("type").GetString());
        Assert.Equal(118L << 20, doc.RootElement.GetProperty("heap_start").GetInt64());
        Assert.Equal(0.7, doc.RootElement.GetProperty("since_start").GetDouble(), 6);
        Assert.True(doc.RootElement.GetProperty("forced").GetBoolean());

        GoScavengeTraceEvent s = GoTraceLine.Parse("scvg1: 3 MB released").Scavenge!;
        using var doc2 = JsonDocument.Parse(ToJson(s));
        Assert.Equal("go.scavenge", doc2.RootElement.GetProperty("type").GetString());
        Assert.Equal(3L << 20, doc2.RootElement.GetProperty("released").GetInt64());
        Assert.False(doc2.RootElement.TryGetProperty("util_percent", out _));
        Assert.Contains("3 MiB", s.Describe(), StringComparison.Ordinal);
    }

    private static string ToJson(MemLens.Events.MemEvent e)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            e.WriteJson(writer);
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    [Fact]
    public void Arbitrary_strings_never_throw_and_get_a_kind()
    {
        // Plain arbitrary strings, and strings grown from a trace prefix so that the parsers' inner paths run.
        var prefixes = Gen.Elements("", "gc 1", "gc 1 @0.03s 1%: ", "gc 1 @1.0s 2%: 0.1+2+0.3 ms clock, 0.2+0/1/2+0.3 ms cpu, ",
            "scav ", "scav 1", "scav 1 KiB work, ", "scvg", "scvg1: ", "scvg: inuse: 1, ");
        var lines = from prefix in prefixes
                    from tail in ArbMap.Default.GeneratorFor<string>()
                    select prefix + (tail ?? "");
        Prop.ForAll(lines.ToArbitrary(), line =>
        {
            GoTraceLine parsed = GoTraceLine.Parse(line);
            return parsed.Kind switch
            {
                GoTraceLineKind.Gc => parsed.Gc is not null,
                GoTraceLineKind.Scavenge => parsed.Scavenge is not null,
                GoTraceLineKind.Malformed => parsed.Reason is not null,
                GoTraceLineKind.Other => parsed.Gc is null && parsed.Scavenge is null,
                _ => false,
            };
        }).QuickCheckThrowOnFailure();
    }
}
