using MemLens.Metrics;

namespace MemLens.Doctor.Rules;

/// <summary>
/// glibc-arenas: many glibc malloc arena heaps hold a large part of RSS while the managed heap is flat and the arenas
/// are not growing steadily (steady growth is native-growth, which names the arenas in its evidence). See
/// docs/doctor.md#glibc-arenas.
/// </summary>
internal static class GlibcArenasRule
{
    public static Finding? Evaluate(DoctorData d)
    {
        if (d.ObservedSeconds < DoctorRules.MinStateSeconds)
        {
            return null;
        }

        var count = d.Series(MetricCatalog.ProcessMallocArenas);
        var size = d.Series(MetricCatalog.ProcessMallocArenasSize);
        var rss = d.Series(MetricCatalog.ProcessRss);
        if (count.IsEmpty || size.IsEmpty || rss.IsEmpty)
        {
            return null;
        }

        long from = d.RecentFromMs, to = d.DataToMs;
        double n = count.MedianBetween(from, to), bytes = size.MedianBetween(from, to), rssNow = rss.MedianBetween(from, to);
        if (!(n >= DoctorRules.ArenasMinCount && bytes >= DoctorRules.ArenasMinBytes && bytes >= DoctorRules.ArenasMinShareOfRss * rssNow))
        {
            return null;
        }

        // A managed heap that rises explains the memory better; arenas that keep growing are native growth.
        if (ManagedLeakRule.HeapTrend(d) is { } heap && ManagedLeakRule.IsRising(heap.Trend, DoctorRules.LeakMinTau, DoctorRules.LeakMinRiseBytes, DoctorRules.LeakMinRiseShare))
        {
            return null;
        }

        if (size.LevelTrend(d.DataFromMs, d.DataToMs, DoctorRules.TrendSlices) is { } growth && d.ObservedSeconds >= DoctorRules.MinTrendSeconds
            && growth.Tau >= DoctorRules.NativeMinTau && growth.Rise >= DoctorRules.NativeMinRiseBytes)
        {
            return null;
        }

        var evidence = new List<string>
        {
            $"{Words.Number(n, "0")} glibc malloc arena heaps (64 MiB reservations each) have {Words.Bytes(bytes)} made writable, against an RSS of {Words.Bytes(rssNow)} ({Words.Range(from, to)}).",
        };
        var threads = d.Series(MetricCatalog.ProcessThreads);
        if (!threads.IsEmpty)
        {
            evidence.Add($"The process has {Words.Number(threads.LastValue, "0")} threads; glibc gives threads that call malloc arenas of their own, up to 8 per core.");
        }

        if (ManagedLeakRule.HeapTrend(d) is { } flat)
        {
            evidence.Add($"The {flat.Words} is flat (its lows {Words.Bytes(flat.Trend.FirstValue)} → {Words.Bytes(flat.Trend.LastValue)}), so this memory is outside the managed heap.");
        }

        string? arenaMax = d.Fact("env.MALLOC_ARENA_MAX");
        var steps = new List<string>
        {
            arenaMax is null
                ? "Restart with MALLOC_ARENA_MAX=2 (or 4) in the environment: threads then share a few arenas and freed memory is reused instead of kept per thread. Compare RSS under the same load."
                : $"MALLOC_ARENA_MAX is already {arenaMax}; if that is above 2, try 2. If it is 2 already, the memory is really in use or fragmented inside the arenas.",
            "Trimming helps too: malloc_trim(0) returns free pages at the top and middle of every arena (the MemLens dashboard's release action calls it in-process); MALLOC_TRIM_THRESHOLD_ lowers the threshold glibc trims at by itself.",
            "An allocator made for many threads (jemalloc, tcmalloc, mimalloc) via LD_PRELOAD often keeps far less.",
        };
        return new Finding(FindingIds.GlibcArenas, "Memory kept in glibc malloc arenas",
            "A large part of RSS sits in glibc's per-thread malloc arenas: each thread that allocates natively gets an arena, and memory freed in it is kept there for that arena's next allocations, so RSS grows with the number of busy threads and does not come back, with no leak.",
            n >= 2 * DoctorRules.ArenasMinCount ? Confidence.Medium : Confidence.Low, evidence, from, to, steps);
    }
}
