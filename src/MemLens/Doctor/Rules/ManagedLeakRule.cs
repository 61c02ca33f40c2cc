using MemLens.Metrics;

namespace MemLens.Doctor.Rules;

/// <summary>
/// managed-leak: what survives the GCs keeps rising. The troughs of the live heap (lowest value per slice of the
/// range) are fitted with Theil–Sen; the rise must be large, consistent (Kendall's tau), still going on in the second
/// half, and not contradicted by a late full GC that found the heap back down. See docs/doctor.md#managed-leak.
/// </summary>
internal static class ManagedLeakRule
{
    /// <summary>The live heap's trough trend over the observed span, or null when there is no heap series or too few points.</summary>
    public static (Trend Trend, string Words)? HeapTrend(DoctorData d)
    {
        if (d.LiveHeap() is not { } heap)
        {
            return null;
        }

        return heap.Series.TroughTrend(d.DataFromMs, d.DataToMs, DoctorRules.TrendSlices) is { } t ? (t, heap.Words) : null;
    }

    public static Finding? Evaluate(DoctorData d)
    {
        if (d.ObservedSeconds < DoctorRules.MinTrendSeconds || d.LiveHeap() is not { } heap
            || heap.Series.TroughTrend(d.DataFromMs, d.DataToMs, DoctorRules.TrendSlices) is not { } trend)
        {
            return null;
        }

        if (!IsRising(trend, DoctorRules.LeakMinTau, DoctorRules.LeakMinRiseBytes, DoctorRules.LeakMinRiseShare))
        {
            return null;
        }

        // Still rising in the second half: a cache filled at start-up is not a leak now.
        var late = heap.Series.TroughTrend(d.MiddleMs, d.DataToMs, DoctorRules.TrendSlices / 2);
        if (late is not { } l || l.Slope < DoctorRules.LeakMinLateSlopeShare * trend.Slope)
        {
            return null;
        }

        // A new high in the last quarter: a heap that grew and then stayed flat for a quarter of the range has stopped.
        if (!MadeNewHigh(heap.Series, trend, d.DataFromMs, d.DataToMs))
        {
            return null;
        }

        // A late full GC that found much less live than the line predicts: the rise was garbage waiting for it.
        var fullGcs = d.DotNetGcs.Where(g => g.IsFull && g.TimestampMs >= trend.FromMs).ToList();
        if (fullGcs.Count > 0)
        {
            var last = fullGcs[^1];
            double expectedRise = trend.Slope * ((last.TimestampMs - trend.FromMs) / 1000.0);
            if (expectedRise >= DoctorRules.LeakMinRiseBytes && last.HeapAfter < trend.Start + (DoctorRules.LeakFullGcVetoShare * expectedRise))
            {
                return null;
            }
        }

        var evidence = new List<string>
        {
            $"{Capitalised(heap.Words)}, at its lowest in each {Words.Duration(trend.Seconds / DoctorRules.TrendSlices)}, rose from " +
            $"{Words.Bytes(trend.FirstValue)} to {Words.Bytes(trend.LastValue)} over {Words.Duration(trend.Seconds)} " +
            $"({Words.Rate(trend.Slope)}; {Words.Range(trend.FromMs, trend.ToMs)}), and kept rising: {Words.Percent(trend.RisingShare)} of all pairs of these readings go up (Kendall's τ {Words.Number(trend.Tau)}).",
        };

        bool fullGcsAgree = false;
        if (fullGcs.Count >= 2)
        {
            var first = fullGcs[0];
            var lastGc = fullGcs[^1];
            double predicted = trend.Slope * ((lastGc.TimestampMs - first.TimestampMs) / 1000.0);
            fullGcsAgree = lastGc.HeapAfter - first.HeapAfter >= 0.5 * predicted && predicted > 0;
            var shown = fullGcs.Count <= 5 ? fullGcs : [fullGcs[0], fullGcs[fullGcs.Count / 4], fullGcs[fullGcs.Count / 2], fullGcs[3 * fullGcs.Count / 4], fullGcs[^1]];
            evidence.Add($"Full (gen2) GCs left {string.Join(", ", shown.Select(g => $"{Words.Bytes(g.HeapAfter)} at {Words.Clock(g.TimestampMs)}"))} live" +
                         (fullGcsAgree ? ": each full collection finds more that is still referenced." : "."));
        }
        else if (d.Runtime == "go" && heap.Series.Metric == MetricCatalog.GoGcHeapLive)
        {
            // Every Go GC marks the whole heap: the trend is made of what full collections kept.
            fullGcsAgree = true;
            evidence.Add(d.GoGcs.Count >= 2
                ? $"{d.GoGcs.Count} GCs in the range, each a full mark of the heap: the first left {Words.Bytes(d.GoGcs[0].HeapLive)} live, the last {Words.Bytes(d.GoGcs[^1].HeapLive)}."
                : "Every Go GC marks the whole heap, so each reading is what a full collection kept.");
        }
        else if (d.Runtime == "go")
        {
            evidence.Add("Without gctrace, the live heap is estimated from HeapAlloc's low points, which also hold garbage not yet swept: run the program under `memlens run` for the GC's own figures.");
        }
        else
        {
            evidence.Add(fullGcs.Count == 1
                ? $"Only one full GC in the range ({Words.Bytes(fullGcs[0].HeapAfter)} live at {Words.Clock(fullGcs[0].TimestampMs)}): the trend rests on the heap after ephemeral GCs, which also holds garbage not yet collected."
                : "No full GC in the range: the trend rests on the heap after ephemeral GCs, which also holds garbage not yet collected.");
        }

        var rss = d.Series(MetricCatalog.ProcessRss);
        if (!rss.IsEmpty)
        {
            evidence.Add($"RSS went from {Words.Bytes(rss.Mean[0])} to {Words.Bytes(rss.LastValue)} meanwhile.");
        }

        if (d.Runtime == "go" && d.Series(MetricCatalog.GoStackInuse).LevelTrend(d.DataFromMs, d.DataToMs, DoctorRules.TrendSlices) is { } stacks
            && stacks.Tau >= DoctorRules.LeakMinTau && stacks.Rise >= 4 << 20)
        {
            evidence.Add($"Goroutine stacks grew too, {Words.Bytes(stacks.Start)} → {Words.Bytes(stacks.End)}: goroutines that never end keep what they reference.");
        }

        bool long_ = d.ObservedSeconds >= DoctorRules.LongWindowFactor * DoctorRules.MinTrendSeconds;
        var confidence = fullGcsAgree && trend.Tau >= 0.8 && long_ ? Confidence.High
            : fullGcsAgree || trend.Tau >= 0.8 ? Confidence.Medium
            : Confidence.Low;

        return new Finding(FindingIds.ManagedLeak, "Managed leak",
            d.Runtime == "go"
                ? "The Go heap that survives each GC keeps growing: the program keeps references to memory it no longer needs, so the GC cannot free it and RSS follows."
                : "The .NET heap that survives GCs keeps growing: the program keeps references to objects it no longer needs, so no GC can free them and RSS follows.",
            confidence, evidence, trend.FromMs, trend.ToMs, NextSteps(d));
    }

    /// <summary>
    /// Whether the troughs of the last quarter of the range rose above every earlier trough by at least
    /// <see cref="DoctorRules.LeakLastQuarterRiseShare"/> of what the trend predicts for a quarter.
    /// </summary>
    internal static bool MadeNewHigh(DoctorSeries series, Trend trend, long fromMs, long toMs)
    {
        var (times, values) = TrendMath.Troughs(series.Times, series.Min, fromMs, toMs, DoctorRules.TrendSlices);
        long quarter = toMs - ((toMs - fromMs) / 4);
        double before = double.NegativeInfinity, last = double.NegativeInfinity;
        for (int i = 0; i < times.Length; i++)
        {
            if (times[i] < quarter)
            {
                before = Math.Max(before, values[i]);
            }
            else
            {
                last = Math.Max(last, values[i]);
            }
        }

        double expected = trend.Slope * ((toMs - quarter) / 1000.0);
        return double.IsNegativeInfinity(before) || last - before >= DoctorRules.LeakLastQuarterRiseShare * expected;
    }

    internal static bool IsRising(Trend trend, double minTau, long minRise, double minShare) =>
        trend.Tau >= minTau && trend.Rise >= minRise && trend.Rise >= minShare * Math.Max(trend.Start, 1);

    private static List<string> NextSteps(DoctorData d)
    {
        string pid = Words.Pid(d);
        if (d.Runtime == "go")
        {
            return
            [
                "Compare two heap profiles taken a few minutes apart: `curl -o before.pb.gz http://HOST/debug/pprof/heap`, later the same to after.pb.gz, then `go tool pprof -sample_index=inuse_space -base before.pb.gz after.pb.gz` and `top`: what grows is what is kept.",
                "Look for maps or slices that only grow, caches without eviction, and goroutines that block forever (`/debug/pprof/goroutine?debug=1` shows where they wait).",
            ];
        }

        return
        [
            $"Take two heap snapshots a few minutes apart and compare them: `memlens snapshot {pid} -o before.json`, later `memlens snapshot {pid} -o after.json`, then `memlens diff before.json after.json`: the types that grow are what is kept.",
            "Look at what holds those objects: static collections, caches without a size limit or expiry, event handlers that are never removed, timers and tasks that never finish.",
            $"To see it without a snapshot: force a full GC (`memlens gc {pid}`); a leak's heap does not come back down afterwards.",
        ];
    }

    private static string Capitalised(string s) => s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s[1..];
}
