using MemLens.Metrics;

namespace MemLens.Doctor.Rules;

/// <summary>
/// healthy, when no other rule found anything over a long enough span: memory is flat, or rose with load and came back,
/// or rose at start-up and has been flat since. RSS that keeps rising with no rule to explain it is not healthy: that
/// is not-enough-data (the split between managed and native memory is missing, or each part rose too little on its
/// own to judge yet). See docs/doctor.md#healthy.
/// </summary>
internal static class HealthyRule
{
    public static Finding Evaluate(DoctorData d)
    {
        var rss = d.Series(MetricCatalog.ProcessRss);
        var memory = rss.IsEmpty ? d.LiveHeap()?.Series : rss;
        string what = rss.IsEmpty ? d.LiveHeap()?.Words ?? "memory" : "RSS";
        if (memory is null || memory.IsEmpty)
        {
            return Unexplained(d, "There are runtime figures but no memory series the doctor can judge.");
        }

        var trend = memory.LevelTrend(d.DataFromMs, d.DataToMs, DoctorRules.TrendSlices);
        var late = memory.LevelTrend(d.MiddleMs, d.DataToMs, DoctorRules.TrendSlices / 2);
        if (trend is { } t && late is { } l
            && t.Tau >= DoctorRules.NativeMinTau && t.Rise >= DoctorRules.NativeMinRiseBytes && t.Rise >= DoctorRules.NativeMinRiseShare * Math.Max(t.Start, 1)
            && l.Slope >= DoctorRules.LeakMinLateSlopeShare * t.Slope)
        {
            string rose = $"{what} rose from {Words.Bytes(t.FirstValue)} to {Words.Bytes(t.LastValue)} over {Words.Duration(t.Seconds)} ({Words.Rate(t.Slope)}; {Words.Range(t.FromMs, t.ToMs)}) and is still rising, ";
            return Unexplained(d, rose + (d.Runtime == "native"
                ? "but the program's anonymous memory did not rise as much: the rest is file-backed or shared pages (mapped files), which the kernel can reclaim."
                : d.LiveHeap() is not null
                    ? "but neither the managed heap nor the memory outside it rose enough on its own to name the cause yet."
                    : "but without the runtime's own figures the doctor cannot tell managed from native memory."));
        }

        if (HeapNotYetCollected(d) is { } unknown)
        {
            return unknown;
        }

        long from = d.DataFromMs, to = d.DataToMs, recent = d.RecentFromMs;
        double first = memory.Mean[0], last = memory.LastValue, peak = memory.Highest();
        long peakAt = memory.TimeOfHighest();
        var recentValues = memory.MeansBetween(recent, to);
        double recentMin = recentValues.Count > 0 ? recentValues.Min() : last, recentMax = recentValues.Count > 0 ? recentValues.Max() : last;
        double band = Math.Max(DoctorRules.FlatBytes, DoctorRules.FlatShare * Math.Max(recentMax, 1));
        bool flatNow = recentMax - recentMin <= band;
        bool cameBack = peak - last >= band && peak - first >= band;
        bool risenAtStart = last - first >= band && flatNow;

        string summary = cameBack
            ? $"Nothing wrong: memory rose with load and came back. {what} peaked at {Words.Bytes(peak)} at {Words.Clock(peakAt)} and is back at {Words.Bytes(last)}."
            : risenAtStart
                ? $"Nothing wrong: memory rose while the process warmed up ({Words.Bytes(first)} → {Words.Bytes(recentMin)}) and has been flat since."
                : flatNow
                    ? $"Nothing wrong: memory is flat, {what} between {Words.Bytes(memory.Min.Min())} and {Words.Bytes(peak)} over {Words.Duration(d.ObservedSeconds)}."
                    : $"Nothing wrong: memory moves with the load but does not keep rising ({what} between {Words.Bytes(memory.Min.Min())} and {Words.Bytes(peak)}).";

        string recently = recentMax - recentMin < 1 << 20
            ? $"flat at {Words.Bytes(recentMax)} since {Words.Clock(recent)}"
            : $"within {Words.Bytes(recentMin)}–{Words.Bytes(recentMax)} since {Words.Clock(recent)}";
        var evidence = new List<string>
        {
            $"{what}: {Words.Bytes(first)} at {Words.Clock(from)}, highest {Words.Bytes(peak)} at {Words.Clock(peakAt)}, {Words.Bytes(last)} at {Words.Clock(to)}; {recently}.",
        };
        if (ManagedLeakRule.HeapTrend(d) is { } heap)
        {
            var heapSeries = d.LiveHeap()!.Value.Series;
            evidence.Add($"The {heap.Words} stayed between {Words.Bytes(heapSeries.Min.Min())} and {Words.Bytes(heapSeries.Highest())}; its lows are flat ({Words.Bytes(heap.Trend.FirstValue)} → {Words.Bytes(heap.Trend.LastValue)}).");
        }

        var full = d.DotNetGcs.Where(g => g.IsFull).ToList();
        if (full.Count > 0)
        {
            evidence.Add($"{full.Count} full GCs left between {Words.Bytes(full.Min(g => g.HeapAfter))} and {Words.Bytes(full.Max(g => g.HeapAfter))} live.");
        }
        else if (d.GoGcs.Count > 0)
        {
            var lastGc = d.GoGcs[^1];
            evidence.Add($"{d.GoGcs.Count} GCs left between {Words.Bytes(d.GoGcs.Min(g => g.HeapLive))} and {Words.Bytes(d.GoGcs.Max(g => g.HeapLive))} live; the last, at {Words.Clock(lastGc.TimestampMs)}, {Words.Bytes(lastGc.HeapLive)}.");
        }

        var allocated = d.Series(MetricCatalog.GcAllocated);
        if (allocated.Count >= 2 && allocated.LastTime > allocated.FirstTime)
        {
            double rate = (allocated.LastValue - allocated.Mean[0]) / ((allocated.LastTime - allocated.FirstTime) / 1000.0);
            if (rate >= 1 << 20)
            {
                evidence.Add($"It allocates {Words.Speed(rate)} and the GC keeps up: a high allocation rate is not a leak.");
            }
        }

        bool runtimeFigures = d.LiveHeap() is not null;
        bool longEnough = d.ObservedSeconds >= DoctorRules.LongWindowFactor * DoctorRules.MinTrendSeconds;
        var confidence = runtimeFigures && longEnough ? Confidence.High : runtimeFigures || longEnough ? Confidence.Medium : Confidence.Low;
        var steps = new List<string>
        {
            "Nothing to do. If memory looks high anyway, compare RSS with PSS and USS (shared pages) and with the runtime's committed memory.",
        };
        if (!longEnough)
        {
            steps.Add($"A slow leak needs a longer look: watch for {Words.Duration(DoctorRules.LongWindowFactor * DoctorRules.MinTrendSeconds)} or more, through a load peak.");
        }

        return new Finding(FindingIds.Healthy, "Healthy", summary, confidence, evidence, from, to, steps);
    }

    /// <summary>
    /// A .NET heap that rose to a new level with no full GC since (the spike demo's first minute: 400 MiB of large
    /// arrays, dropped, and only gen0 GCs after): nobody knows yet whether it is live or garbage, so "healthy" would be
    /// a guess. Null when a full GC has judged the current level, or the heap is small or did not rise.
    /// </summary>
    private static Finding? HeapNotYetCollected(DoctorData d)
    {
        if (d.Runtime != "dotnet" || d.DotNetGcs.Count == 0)
        {
            return null; // without GC events there is no telling which GCs were full
        }

        var heap = d.Series(MetricCatalog.GcHeapSize);
        if (heap.IsEmpty)
        {
            return null;
        }

        // The heap rose to this level within the range: it started far below, or a full GC found far less live.
        double level = heap.MedianBetween(d.RecentFromMs, d.DataToMs);
        double lowest = Math.Min(heap.Min[0], d.DotNetGcs.Where(g => g.IsFull).Select(g => (double)g.HeapAfter).DefaultIfEmpty(double.MaxValue).Min());
        if (!(level >= DoctorRules.RetentionMinBytes) || lowest * DoctorRules.RetentionMinRatio > level)
        {
            return null;
        }

        // Since when the heap has been at this level: back from the end while it stays above half of it.
        long since = heap.LastTime;
        for (int i = heap.Count - 1; i >= 0 && heap.Min[i] >= level / 2; i--)
        {
            since = heap.Times[i];
        }

        if (d.DotNetGcs.Any(g => g.IsFull && g.TimestampMs >= since))
        {
            return null;
        }

        var steps = new List<string>
        {
            $"Wait for the next full GC, or force one (`memlens gc {Words.Pid(d)}`): what it leaves is what is live, and the doctor can then tell a leak from garbage or retention.",
        };
        return new Finding(FindingIds.NotEnoughData, "Cannot tell yet",
            $"The GC heap rose to {Words.Bytes(level)} and no full GC has run since, so whether that memory is still used or garbage waiting for a collection is not known yet.",
            Confidence.Medium,
            [$"GC heap after each GC: {Words.Bytes(heap.Min[0])} at {Words.Clock(heap.FirstTime)}, {Words.Bytes(level)} since {Words.Clock(since)} ({Words.DurationMs(since, d.DataToMs)}) with only gen0/gen1 GCs, which do not collect gen2 or the large object heap."],
            since, d.DataToMs, steps);
    }

    private static Finding Unexplained(DoctorData d, string why)
    {
        var steps = new List<string>();
        if (d.LiveHeap() is null)
        {
            steps.Add(d.Runtime switch
            {
                "go" => "Give the doctor the Go runtime's figures: `memlens run -- ./program` (gctrace) or `--go-pprof http://127.0.0.1:PORT` for a program serving net/http/pprof.",
                "dotnet" => "Give the doctor the .NET runtime's figures: `memlens watch <pid>` attaches over EventPipe (the process's diagnostics must be on).",
                _ => "If this is a .NET or Go program, watch it with its runtime attached (`memlens watch <pid>`, or `--go-pprof` for Go) so the doctor can tell managed from native memory.",
            });
        }

        steps.Add("Keep watching: a longer range shows whether the rise continues and where it is.");
        return new Finding(FindingIds.NotEnoughData, "Cannot tell yet", "Memory keeps rising, but the figures at hand cannot say why yet.",
            Confidence.Medium, [why], d.DataFromMs, d.DataToMs, steps);
    }
}
