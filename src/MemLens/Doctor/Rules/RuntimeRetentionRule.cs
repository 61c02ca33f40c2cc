using MemLens.Metrics;

namespace MemLens.Doctor.Rules;

/// <summary>
/// runtime-retention: the runtime holds far more than is live, for a while, after the load fell. .NET, two ways:
/// garbage the heap kept until a full GC found it dead (a full GC that reclaimed most of the heap, and the time the
/// heap had been that high before it), and committed memory far above the heap after GCs. Go: idle heap the runtime
/// keeps (HeapIdle − HeapReleased, still resident) far above HeapAlloc. See docs/doctor.md#runtime-retention.
/// </summary>
internal static class RuntimeRetentionRule
{
    public static Finding? Evaluate(DoctorData d) =>
        d.ObservedSeconds < DoctorRules.MinTrendSeconds ? null
        : d.Runtime == "go" ? EvaluateGo(d)
        : d.Runtime == "dotnet" ? EvaluateDotNet(d)
        : null;

    private static Finding? EvaluateDotNet(DoctorData d)
    {
        var heap = d.Series(MetricCatalog.GcHeapSize);
        var committed = d.Series(MetricCatalog.GcCommitted);
        var rss = d.Series(MetricCatalog.ProcessRss);
        var periods = new List<(long From, long To)>();
        var evidence = new List<string>();

        // (a) Garbage kept until a full GC: a full GC that freed most of the heap, and how long the heap had been
        // that high before it (back to the previous full GC at most).
        var reclaims = new List<(DotNetGc Gc, long Since)>();
        long previousFull = d.DataFromMs;
        foreach (var gc in d.DotNetGcs)
        {
            if (!gc.IsFull)
            {
                continue;
            }

            long freed = gc.HeapBefore - gc.HeapAfter;
            if (freed >= DoctorRules.RetentionMinBytes && freed >= DoctorRules.RetentionReclaimShare * gc.HeapBefore && !heap.IsEmpty)
            {
                long since = gc.TimestampMs;
                for (int i = heap.Count - 1; i >= 0; i--)
                {
                    if (heap.Times[i] >= gc.TimestampMs)
                    {
                        continue;
                    }

                    if (heap.Times[i] < previousFull || heap.Min[i] < gc.HeapAfter + (freed / 2))
                    {
                        break;
                    }

                    since = heap.Times[i];
                }

                if (since < gc.TimestampMs)
                {
                    periods.Add((since, gc.TimestampMs));
                    reclaims.Add((gc, since));
                }
            }

            previousFull = gc.TimestampMs;
        }

        // (b) Committed far above the heap after GCs.
        var kept = new List<(long From, long To, double Committed, double Heap)>();
        if (!committed.IsEmpty && !heap.IsEmpty)
        {
            long cap = Math.Max(5_000, (d.DataToMs - d.DataFromMs) / DoctorRules.MaxPointsPerSeries * 2);
            int h = 0;
            for (int i = 0; i + 1 < committed.Count; i++)
            {
                long t = committed.Times[i];
                while (h + 1 < heap.Count && heap.Times[h + 1] <= t)
                {
                    h++;
                }

                double c = committed.Mean[i], live = heap.Mean[h];
                if (c - live >= DoctorRules.RetentionMinBytes && c >= DoctorRules.RetentionMinRatio * live)
                {
                    long to = Math.Min(committed.Times[i + 1], t + cap);
                    if (kept.Count > 0 && kept[^1].To == t)
                    {
                        var last = kept[^1];
                        kept[^1] = (last.From, to, Math.Max(last.Committed, c), Math.Min(last.Heap, live));
                    }
                    else
                    {
                        kept.Add((t, to, c, live));
                    }
                }
            }

            periods.AddRange(kept.Select(k => (k.From, k.To)));
        }

        double seconds = UnionSeconds(periods);
        if (seconds < DoctorRules.RetentionMinSeconds || !IsCurrent(d, periods))
        {
            return null;
        }

        foreach (var (gc, since) in reclaims.TakeLast(2))
        {
            string kind = gc.Kind switch { "background" => "background", "full-blocking" => "blocking", _ => "" };
            string reason = gc.Reason is { } r ? $", reason {r}" : "";
            double loh = d.Series(MetricCatalog.GcLohSize).MedianBetween(since, gc.TimestampMs);
            string where = double.IsFinite(loh) && loh >= 0.5 * (gc.HeapBefore - gc.HeapAfter)
                ? $" Most of it ({Words.Bytes(loh)}) was in the large object heap, which only a full GC collects."
                : "";
            evidence.Add($"A full GC at {Words.Clock(gc.TimestampMs)} ({(kind.Length > 0 ? kind + " " : "")}gen2{reason}) found {Words.Bytes(gc.HeapAfter)} live in a heap of {Words.Bytes(gc.HeapBefore)}: " +
                         $"the other {Words.Bytes(gc.HeapBefore - gc.HeapAfter)} was garbage. The heap had been that large since {Words.Clock(since)} ({Words.DurationMs(since, gc.TimestampMs)}) with only gen0/gen1 GCs, which do not collect it.{where}");
        }

        foreach (var k in kept.OrderByDescending(k => k.To - k.From).Take(1))
        {
            double rssThen = rss.MedianBetween(k.From, k.To);
            evidence.Add($"GC committed memory stayed at up to {Words.Bytes(k.Committed)} for {Words.DurationMs(k.From, k.To)} ({Words.Range(k.From, k.To)}) while the heap after GCs was {Words.Bytes(k.Heap)}" +
                         (double.IsFinite(rssThen) ? $"; RSS meanwhile {Words.Bytes(rssThen)}." : "."));
        }

        evidence.Add($"In all, the heap or the GC's committed memory stood at least {Words.Bytes(DoctorRules.RetentionMinBytes)} above what was live (what the next full GC kept, or the heap after GCs) for {Words.Duration(seconds)} of the {Words.Duration(d.ObservedSeconds)} observed.");
        var hold = periods.Count == 0 ? (d.DataFromMs, d.DataToMs) : (periods.Min(p => p.From), periods.Max(p => p.To));
        int episodes = reclaims.Count + kept.Count(k => k.To - k.From >= 10_000);
        var confidence = episodes >= 2 && d.ObservedSeconds >= DoctorRules.LongWindowFactor * DoctorRules.MinTrendSeconds ? Confidence.High
            : seconds >= 2 * DoctorRules.RetentionMinSeconds || episodes >= 2 ? Confidence.Medium
            : Confidence.Low;
        return new Finding(FindingIds.RuntimeRetention, "Runtime retention, not a leak",
            "Memory the program no longer uses is still held by the .NET runtime: garbage that waits for a full GC, and memory the GC keeps committed after collecting so it need not ask the system again. " +
            "RSS stays high after the load fell, but a full GC finds little live: it is not a leak.",
            confidence, evidence, hold.Item1, hold.Item2, DotNetSteps(d, reclaims.Count > 0));
    }

    private static Finding? EvaluateGo(DoctorData d)
    {
        var idle = d.Series(MetricCatalog.GoHeapIdle);
        var released = d.Series(MetricCatalog.GoHeapReleased);
        var alloc = d.Series(MetricCatalog.GoHeapAlloc);
        if (idle.IsEmpty || released.IsEmpty || alloc.IsEmpty)
        {
            return null;
        }

        int k = DoctorRules.TrendSlices;
        var keptIdle = DoctorSeries.Combine(MetricCatalog.GoHeapIdle, d.DataFromMs, d.DataToMs, k, (idle, 1), (released, -1));
        var live = DoctorSeries.Combine(MetricCatalog.GoHeapAlloc, d.DataFromMs, d.DataToMs, k, (alloc, 1));
        var liveAt = live.Times.Zip(live.Mean).ToDictionary(p => p.First, p => p.Second);
        var periods = new List<(long, long)>();
        double sliceMs = (d.DataToMs - d.DataFromMs + 1) / (double)k;
        double most = 0, liveThen = 0;
        for (int i = 0; i < keptIdle.Count; i++)
        {
            double kept = keptIdle.Mean[i];
            if (liveAt.TryGetValue(keptIdle.Times[i], out double a) && kept >= DoctorRules.RetentionMinBytes && kept >= (DoctorRules.RetentionMinRatio - 1) * a)
            {
                periods.Add((keptIdle.Times[i] - (long)(sliceMs / 2), keptIdle.Times[i] + (long)(sliceMs / 2)));
                if (kept > most)
                {
                    most = kept;
                    liveThen = a;
                }
            }
        }

        double seconds = UnionSeconds(periods);
        if (seconds < DoctorRules.RetentionMinSeconds || !IsCurrent(d, periods))
        {
            return null;
        }

        var evidence = new List<string>
        {
            $"Idle heap the Go runtime keeps (HeapIdle − HeapReleased: free, still resident) reached {Words.Bytes(most)} while HeapAlloc was {Words.Bytes(liveThen)}, and stayed at least {Words.Bytes(DoctorRules.RetentionMinBytes)} and as large as the heap in use for {Words.Duration(seconds)} of the {Words.Duration(d.ObservedSeconds)} observed.",
        };
        var rss = d.Series(MetricCatalog.ProcessRss);
        if (!rss.IsEmpty)
        {
            evidence.Add($"RSS was {Words.Bytes(rss.LastValue)} at the end.");
        }

        long from = periods.Min(p => p.Item1), to = periods.Max(p => p.Item2);
        var steps = new List<string>
        {
            "Nothing leaks: the runtime keeps freed heap for reuse and its background scavenger returns it to the system over minutes. `debug.FreeOSMemory()` returns it at once (it runs a GC first).",
            d.Fact("env.GOGC") is { } gogc
                ? $"GOGC is {gogc}: the heap may grow to the live heap × (1 + GOGC/100) before a GC, and the runtime keeps about that much."
                : "With the default GOGC=100 the heap grows to twice the live heap before a GC; a lower GOGC keeps less, at more GC work.",
            d.Fact("env.GOMEMLIMIT") is { } limit
                ? $"GOMEMLIMIT is {limit}: the scavenger works harder to keep the total under it; lower it if RSS must stay lower (Go 1.19+)."
                : "Set a soft limit with GOMEMLIMIT (Go 1.19+): the scavenger then returns idle memory eagerly as the total nears it.",
        };
        return new Finding(FindingIds.RuntimeRetention, "Runtime retention, not a leak",
            "The Go runtime keeps freed heap memory for reuse instead of returning it to the system, so RSS stays above what the program uses after the load fell. It is not a leak.",
            seconds >= 2 * DoctorRules.RetentionMinSeconds ? Confidence.Medium : Confidence.Low, evidence, from, to, steps);
    }

    private static List<string> DotNetSteps(DoctorData d, bool garbageKept)
    {
        string pid = Words.Pid(d);
        var steps = new List<string>
        {
            $"Confirm: force a full compacting GC (`memlens gc {pid}`). The heap drops to what is live; committed memory and RSS may stay up for a while, which is the GC keeping memory, given back over time or when the system runs short.",
        };
        if (garbageKept)
        {
            steps.Add("Large arrays that die wait in the large object heap for the next full GC: rent big buffers from ArrayPool<T>.Shared instead of allocating them per request, or keep them under 85,000 bytes.");
        }

        bool server = string.Equals(d.Fact("dotnet.gc.server"), "true", StringComparison.OrdinalIgnoreCase) || d.Fact("env.DOTNET_gcServer") is "1" or "true";
        if (server)
        {
            steps.Add("This process uses Server GC, which keeps large budgets per core: under light load, DATAS (DOTNET_GCDynamicAdaptationMode=1, the default with Server GC from .NET 9) or workstation GC (DOTNET_gcServer=0) hold far less.");
        }

        var settings = d.Facts.Where(f => f.Key.StartsWith("env.DOTNET_GC", StringComparison.OrdinalIgnoreCase) && !string.IsNullOrWhiteSpace(f.Value))
            .OrderBy(f => f.Key, StringComparer.Ordinal).Select(f => $"{f.Key[4..]}={f.Value}").ToList();
        if (settings.Count > 0)
        {
            steps.Add($"GC settings in its environment: {string.Join(", ", settings)} (values are hexadecimal). A larger gen0 budget (GCgen0size) or a retained VM (GCRetainVM) keeps more committed by design.");
        }

        steps.Add(d.Fact("env.DOTNET_GCConserveMemory") is { } conserve
            ? $"DOTNET_GCConserveMemory is {conserve}; a higher value (up to 9) makes the GC compact and give memory back more eagerly."
            : "To make the GC give memory back more eagerly, set DOTNET_GCConserveMemory (0–9, e.g. 5); a memory limit (the container's, or DOTNET_GCHeapHardLimit) makes it keep less.");
        steps.Add("If RSS must drop right now from inside the app: GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true) decommits what it can (.NET 7+); the MemLens dashboard's release action does that and malloc_trim.");
        return steps;
    }

    /// <summary>
    /// Retention is about now: the last period ends in the second half of the observed span (the spike demo judged
    /// just before its next full GC has its last proven period 40 s back, and the same garbage again since), and RSS
    /// has not come back down to where it was (a load peak that the GC collected and the process gave back is healthy).
    /// </summary>
    private static bool IsCurrent(DoctorData d, List<(long From, long To)> periods)
    {
        if (periods.Max(p => p.To) < d.MiddleMs)
        {
            return false;
        }

        var rss = d.Series(MetricCatalog.ProcessRss);
        if (rss.IsEmpty)
        {
            return true;
        }

        var (_, levels) = rss.Slices(d.DataFromMs, d.DataToMs, DoctorRules.TrendSlices);
        double now = rss.MedianBetween(d.RecentFromMs, d.DataToMs), low = levels.Min(), high = levels.Max();
        double band = Math.Max(DoctorRules.FlatBytes, DoctorRules.FlatShare * now);
        bool cameBack = high - now > band && now - low <= band;
        return !cameBack;
    }

    internal static double UnionSeconds(List<(long From, long To)> periods)
    {
        if (periods.Count == 0)
        {
            return 0;
        }

        var sorted = periods.OrderBy(p => p.From).ToList();
        long total = 0, from = sorted[0].From, to = sorted[0].To;
        foreach (var (f, t) in sorted.Skip(1))
        {
            if (f > to)
            {
                total += to - from;
                from = f;
                to = t;
            }
            else
            {
                to = Math.Max(to, t);
            }
        }

        total += to - from;
        return total / 1000.0;
    }
}
