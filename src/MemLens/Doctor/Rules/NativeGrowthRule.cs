using MemLens.Metrics;

namespace MemLens.Doctor.Rules;

/// <summary>
/// native-growth: the memory the runtime does not manage keeps rising while its heap does not. The native part is RSS
/// minus what the runtime has committed (.NET: dotnet.gc.committed; Go: Sys − HeapReleased, with RSS less LazyFree);
/// for a native program it is the anonymous RSS. Silent for a .NET or Go process without its runtime figures, where
/// the split cannot be made. See docs/doctor.md#native-growth.
/// </summary>
internal static class NativeGrowthRule
{
    /// <summary>The native part over the observed span in slices, with words for it; null when it cannot be computed.</summary>
    public static (DoctorSeries Series, string Words)? NativePart(DoctorData d)
    {
        var rss = d.Series(MetricCatalog.ProcessRss);
        if (rss.IsEmpty)
        {
            return null;
        }

        long from = d.DataFromMs, to = d.DataToMs;
        int k = DoctorRules.TrendSlices;
        switch (d.Runtime)
        {
            case "dotnet":
                var committed = d.Series(MetricCatalog.GcCommitted);
                return committed.IsEmpty ? null
                    : (DoctorSeries.Combine(MetricCatalog.ProcessRss, from, to, k, (rss, 1), (committed.FromTime(from), -1)), "RSS minus GC committed memory");
            case "go":
                var sys = d.Series(MetricCatalog.GoSys);
                if (sys.IsEmpty)
                {
                    return null;
                }

                var terms = new List<(DoctorSeries, double)> { (rss, 1), (sys, -1) };
                var released = d.Series(MetricCatalog.GoHeapReleased);
                var lazy = d.Series(MetricCatalog.ProcessLazyFree);
                if (!released.IsEmpty)
                {
                    terms.Add((released, 1));
                }

                if (!lazy.IsEmpty)
                {
                    terms.Add((lazy, -1));
                }

                return (DoctorSeries.Combine(MetricCatalog.ProcessRss, from, to, k, [.. terms]),
                    "RSS" + (lazy.IsEmpty ? "" : " less LazyFree") + " minus what the Go runtime holds (Sys" + (released.IsEmpty ? "" : " − HeapReleased") + ")");
            case "native":
                var anon = d.Series(MetricCatalog.ProcessAnon);
                return anon.IsEmpty
                    ? (DoctorSeries.Combine(MetricCatalog.ProcessRss, from, to, k, (rss, 1)), "RSS")
                    : (DoctorSeries.Combine(MetricCatalog.ProcessAnon, from, to, k, (anon, 1)), "anonymous RSS");
            default:
                return null;
        }
    }

    public static Finding? Evaluate(DoctorData d)
    {
        if (d.ObservedSeconds < DoctorRules.MinTrendSeconds || NativePart(d) is not { } native
            || TrendMath.Fit(native.Series.Times, native.Series.Mean) is not { } trend)
        {
            return null;
        }

        var rss = d.Series(MetricCatalog.ProcessRss);
        double rssStart = rss.Mean[0];
        if (!(trend.Tau >= DoctorRules.NativeMinTau && trend.Rise >= DoctorRules.NativeMinRiseBytes && trend.Rise >= DoctorRules.NativeMinRiseShare * rssStart))
        {
            return null;
        }

        var late = Fit(native.Series, d.MiddleMs, d.DataToMs);
        if (late is not { } l || l.Slope < DoctorRules.LeakMinLateSlopeShare * trend.Slope)
        {
            return null;
        }

        var heap = ManagedLeakRule.HeapTrend(d);
        if (heap is { } h && Math.Max(0, h.Trend.Rise) * DoctorRules.NativeOverHeapFactor > trend.Rise)
        {
            return null; // the heap grows about as much: that is the heap's growth (managed-leak judges it)
        }

        var evidence = new List<string>
        {
            $"{native.Words}, averaged over each {Words.Duration(d.ObservedSeconds / DoctorRules.TrendSlices)}, rose from {Words.Bytes(trend.FirstValue)} to {Words.Bytes(trend.LastValue)} over {Words.Duration(trend.Seconds)} " +
            $"({Words.Rate(trend.Slope)}; {Words.Range(trend.FromMs, trend.ToMs)}), rising in {Words.Percent(trend.RisingShare)} of all pairs of readings (Kendall's τ {Words.Number(trend.Tau)}).",
        };
        if (heap is { } hh)
        {
            evidence.Add($"Meanwhile the {hh.Words} stayed flat (its lows {Words.Bytes(hh.Trend.FirstValue)} → {Words.Bytes(hh.Trend.LastValue)}): the growth is not in the managed heap.");
        }

        evidence.Add($"RSS went from {Words.Bytes(rssStart)} to {Words.Bytes(rss.LastValue)}.");

        var arenas = d.Series(MetricCatalog.ProcessMallocArenasSize);
        var arenaCount = d.Series(MetricCatalog.ProcessMallocArenas);
        bool inArenas = false;
        if (!arenas.IsEmpty && arenas.Count >= 2)
        {
            double grew = arenas.LastValue - arenas.Mean[0];
            inArenas = grew >= 0.5 * trend.Rise;
            if (grew > 0)
            {
                evidence.Add($"glibc malloc arenas ({Words.Number(arenaCount.IsEmpty ? 0 : arenaCount.LastValue, "0")} arena heaps) grew from {Words.Bytes(arenas.Mean[0])} to {Words.Bytes(arenas.LastValue)}" +
                             (inArenas ? ": the growth is memory allocated with malloc." : "."));
            }
        }

        var threads = d.Series(MetricCatalog.ProcessThreads);
        if (!threads.IsEmpty && threads.LastValue - threads.Mean[0] >= 8)
        {
            evidence.Add($"Threads went from {Words.Number(threads.Mean[0], "0")} to {Words.Number(threads.LastValue, "0")}: each has a stack and may get a malloc arena of its own.");
        }

        bool long_ = d.ObservedSeconds >= DoctorRules.LongWindowFactor * DoctorRules.MinTrendSeconds;
        var confidence = trend.Tau >= 0.8 && long_ ? Confidence.High : trend.Tau >= 0.8 || long_ ? Confidence.Medium : Confidence.Low;
        string summary = d.Runtime switch
        {
            "dotnet" => "Memory outside the .NET GC heap keeps growing while the heap does not: native allocations (malloc, native libraries, unmanaged buffers) that are never freed. The GC cannot see or free them, and heap snapshots do not show them.",
            "go" => "Memory the Go runtime does not manage keeps growing while its heap does not: allocations made in C (cgo, C libraries) that are never freed.",
            _ => "The program's own memory keeps growing: allocations that are never freed, or caches without a limit.",
        };
        return new Finding(FindingIds.NativeGrowth, "Native memory growth", summary, confidence, evidence, trend.FromMs, trend.ToMs, NextSteps(d, inArenas, arenaCount));
    }

    private static Trend? Fit(DoctorSeries s, long fromMs, long toMs)
    {
        var times = new List<long>();
        var values = new List<double>();
        for (int i = 0; i < s.Count; i++)
        {
            if (s.Times[i] >= fromMs && s.Times[i] <= toMs)
            {
                times.Add(s.Times[i]);
                values.Add(s.Mean[i]);
            }
        }

        return TrendMath.Fit(times, values);
    }

    private static List<string> NextSteps(DoctorData d, bool inArenas, DoctorSeries arenaCount)
    {
        string pid = Words.Pid(d);
        var steps = new List<string>();
        if (d.Runtime == "dotnet")
        {
            steps.Add("Look for native memory the code allocates and does not free: NativeMemory.Alloc or Marshal.AllocHGlobal without the matching Free, and IDisposable objects with a native side (streams, sockets, crypto and compression objects, SafeHandles) that are never disposed.");
        }
        else if (d.Runtime == "go")
        {
            steps.Add("Check the cgo code and the C libraries the program calls: every C.malloc and C.CString needs its C.free, and C objects their destroy call.");
        }

        steps.Add($"Record native allocations with their call stacks: `heaptrack --pid {pid}` (Debian package heaptrack) for a few minutes, then `heaptrack_print` on its file lists the stacks that allocated what is still held.");
        if (inArenas || (!arenaCount.IsEmpty && arenaCount.LastValue >= DoctorRules.ArenasMinCount))
        {
            string current = d.Fact("env.MALLOC_ARENA_MAX") is { } max ? $" (it is {max} now)" : "";
            steps.Add($"To tell a leak from glibc keeping freed memory in per-thread arenas, restart it with MALLOC_ARENA_MAX=2{current}: if the growth stops, it was the allocator, not a leak.");
        }

        return steps;
    }
}
