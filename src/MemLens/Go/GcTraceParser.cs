namespace MemLens.Go;

/// <summary>
/// Parses <c>GODEBUG=gctrace=1</c> lines of Go 1.5 and later:
/// <c>gc # @#s #%: #+…+# ms clock, #+…+#/#/#+…+# ms cpu, #-&gt;#-&gt;# MB, # MB goal, [# MB stacks, # MB globals,] # P [(forced)]</c>.
/// </summary>
/// <remarks>
/// Tolerance: the number of clock and CPU figures is not fixed (5 clock phases in Go 1.5–1.6, 3 since 1.7);
/// the fields after <c>ms cpu,</c> are recognised by their unit words, in any order, and fields not known
/// (a future Go adding one) are skipped. Required are the heap triple, the goal and the P count; anything
/// else wrong makes the line malformed with a reason. Never throws.
/// </remarks>
public static class GcTraceParser
{
    private const int MsToTicksDecimals = 4; // 1 ms = 10^4 ticks of 100 ns
    private const int SecondsToTicksDecimals = 7;
    private const int MiBShift = 20; // Go prints bytes>>20 and calls it MB

    /// <summary>Parses one line known or suspected to be a gctrace line; see <see cref="GoTraceLine.Parse"/> for classifying any line.</summary>
    public static GoTraceLine Parse(ReadOnlySpan<char> line, long timestampMs = 0)
    {
        line = line.Trim(" \t\r\n");
        if (!GoTraceLine.IsGcStart(line))
        {
            return GoTraceLine.Other;
        }

        var r = new TraceSpanReader(line);
        r.TrySkip("gc ");
        if (!r.TryReadInteger(out long number))
        {
            return Bad("GC number is not a number");
        }

        if (!r.TrySkip(" @") || !r.TryReadFixed(SecondsToTicksDecimals, out long sinceStartTicks) || !r.TrySkip("s "))
        {
            return Bad("no '@#s' start time");
        }

        if (!r.TryReadFixed(2, out long cpuPercentHundredths) || !r.TrySkip("%: "))
        {
            return Bad("no '#%:' GC CPU percentage");
        }

        // Wall clock: #+#+…+# ms clock
        var clock = new List<TimeSpan>(5);
        do
        {
            if (!r.TryReadFixed(MsToTicksDecimals, out long ticks))
            {
                return Bad("clock phases are not numbers");
            }

            clock.Add(TimeSpan.FromTicks(ticks));
        }
        while (r.TrySkip('+'));

        if (!r.TrySkip(" ms clock, "))
        {
            return Bad("no 'ms clock,' after the clock phases");
        }

        // CPU: groups joined by '+'; the mark group splits into assist/background/idle with '/'.
        var cpu = new List<TimeSpan>(7);
        int markGroupStart = -1, groups = 0;
        do
        {
            int groupStart = cpu.Count;
            do
            {
                if (!r.TryReadFixed(MsToTicksDecimals, out long ticks))
                {
                    return Bad("CPU phases are not numbers");
                }

                cpu.Add(TimeSpan.FromTicks(ticks));
            }
            while (r.TrySkip('/'));

            int inGroup = cpu.Count - groupStart;
            if (inGroup == 3 && markGroupStart < 0)
            {
                markGroupStart = groupStart;
            }
            else if (inGroup != 1)
            {
                return Bad("CPU mark group is not assist/background/idle");
            }

            groups++;
        }
        while (r.TrySkip('+'));

        if (!r.TrySkip(" ms cpu, "))
        {
            return Bad("no 'ms cpu,' after the CPU phases");
        }

        ReadOnlySpan<char> rest = r.Rest;
        bool forced = false;
        if (rest.EndsWith(" (forced)", StringComparison.Ordinal))
        {
            forced = true;
            rest = rest[..^" (forced)".Length];
        }

        long? heap0 = null, heap1 = null, heap2 = null, goal = null, stacks = null, globals = null, procs = null;
        var fields = new TraceSpanReader(rest);
        while (!fields.AtEnd)
        {
            var f = new TraceSpanReader(fields.ReadField());
            if (!f.StartsWithDigit)
            {
                continue; // not a figure: a field of a future format
            }

            if (!f.TryReadInteger(out long value))
            {
                return Bad("a size is not a number");
            }

            if (f.TrySkip("->"))
            {
                if (!f.TryReadInteger(out long end) || !f.TrySkip("->") || !f.TryReadInteger(out long live) || !f.TrySkip(" MB") || !f.AtEnd)
                {
                    return Bad("heap sizes are not '#->#-># MB'");
                }

                heap0 = value;
                heap1 = end;
                heap2 = live;
            }
            else if (f.TrySkip(" MB goal") && f.AtEnd)
            {
                goal = value;
            }
            else if (f.TrySkip(" MB stacks") && f.AtEnd)
            {
                stacks = value;
            }
            else if (f.TrySkip(" MB globals") && f.AtEnd)
            {
                globals = value;
            }
            else if (f.TrySkip(" P") && f.AtEnd)
            {
                procs = value;
            }
            else if (!f.TrySkip(' ') || f.AtEnd || char.IsAsciiDigit(f.Rest[0]))
            {
                // "12", "12 " or "12 34": a figure with no unit word is a garbled or cut line, not a new field.
                return Bad("a figure without a known unit");
            }
        }

        if (heap0 is null)
        {
            return Bad("no '#->#-># MB' heap sizes");
        }

        if (goal is null)
        {
            return Bad("no '# MB goal'");
        }

        if (procs is null || procs > int.MaxValue)
        {
            return Bad("no '# P' processor count");
        }

        if (!FitsMiB(heap0.Value) || !FitsMiB(heap1!.Value) || !FitsMiB(heap2!.Value) || !FitsMiB(goal.Value)
            || (stacks is { } s && !FitsMiB(s)) || (globals is { } g && !FitsMiB(g)))
        {
            return Bad("a size is too large");
        }

        TimeSpan middle = TimeSpan.Zero;
        for (int i = 1; i < clock.Count - 1; i++)
        {
            middle += clock[i];
        }

        return GoTraceLine.ForGc(new GoGcTraceEvent(timestampMs, number)
        {
            SinceStart = TimeSpan.FromTicks(sinceStartTicks),
            CpuPercent = cpuPercentHundredths / 100.0,
            ClockPhases = clock,
            SweepTerminationClock = clock[0],
            ConcurrentMarkClock = middle,
            MarkTerminationClock = clock.Count > 1 ? clock[^1] : TimeSpan.Zero,
            CpuPhases = cpu,
            SweepTerminationCpu = markGroupStart == 0 ? null : cpu[0],
            AssistCpu = markGroupStart >= 0 ? cpu[markGroupStart] : null,
            BackgroundCpu = markGroupStart >= 0 ? cpu[markGroupStart + 1] : null,
            IdleCpu = markGroupStart >= 0 ? cpu[markGroupStart + 2] : null,
            MarkTerminationCpu = groups > 1 && markGroupStart + 3 != cpu.Count ? cpu[^1] : null,
            HeapStartBytes = heap0.Value << MiBShift,
            HeapEndBytes = heap1.Value << MiBShift,
            HeapLiveBytes = heap2.Value << MiBShift,
            HeapGoalBytes = goal.Value << MiBShift,
            StacksBytes = stacks << MiBShift,
            GlobalsBytes = globals << MiBShift,
            Processors = (int)procs.Value,
            Forced = forced,
        });
    }

    private static bool FitsMiB(long mib) => mib <= long.MaxValue >> MiBShift;

    private static GoTraceLine Bad(string reason) => GoTraceLine.Malformed("gc trace: " + reason);
}
