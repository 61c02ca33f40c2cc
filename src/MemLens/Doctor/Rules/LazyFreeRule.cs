using MemLens.Metrics;

namespace MemLens.Doctor.Rules;

/// <summary>
/// lazy-free: memory already given back with MADV_FREE still counts in RSS (smaps_rollup's LazyFree), in the recent
/// part of the range. See docs/doctor.md#lazy-free.
/// </summary>
internal static class LazyFreeRule
{
    public static Finding? Evaluate(DoctorData d)
    {
        if (d.ObservedSeconds < DoctorRules.MinStateSeconds)
        {
            return null;
        }

        var lazy = d.Series(MetricCatalog.ProcessLazyFree);
        var rss = d.Series(MetricCatalog.ProcessRss);
        if (lazy.IsEmpty || rss.IsEmpty)
        {
            return null;
        }

        long from = d.RecentFromMs, to = d.DataToMs;
        double lazyNow = lazy.MedianBetween(from, to);
        double rssNow = rss.MedianBetween(from, to);
        if (!(lazyNow >= DoctorRules.LazyFreeMinBytes && lazyNow >= DoctorRules.LazyFreeMinShareOfRss * rssNow))
        {
            return null;
        }

        // Since when: the first reading of the run that still meets the thresholds, back from the end.
        long since = to;
        for (int i = lazy.Count - 1; i >= 0 && lazy.Mean[i] >= DoctorRules.LazyFreeMinBytes; i--)
        {
            since = lazy.Times[i];
        }

        double share = lazyNow / rssNow;
        var evidence = new List<string>
        {
            $"LazyFree (pages released with MADV_FREE, not yet taken back by the kernel) was {Words.Bytes(lazyNow)} of an RSS of {Words.Bytes(rssNow)} ({Words.Percent(share)}) from {Words.Clock(since)} to {Words.Clock(to)} ({Words.DurationMs(since, to)}): without it the process holds {Words.Bytes(rssNow - lazyNow)}.",
        };

        string? godebug = d.Fact("env.GODEBUG");
        bool madvFree = godebug is not null && godebug.Replace(" ", "", StringComparison.Ordinal).Contains("madvdontneed=0", StringComparison.Ordinal);
        if (d.Runtime == "go")
        {
            var released = d.Series(MetricCatalog.GoHeapReleased);
            if (!released.IsEmpty)
            {
                evidence.Add($"The Go runtime reports {Words.Bytes(released.LastValue)} of heap released to the system (HeapReleased) at {Words.Clock(released.LastTime)}.");
            }

            if (madvFree)
            {
                evidence.Add($"GODEBUG is \"{godebug}\": madvdontneed=0 makes the runtime release memory with MADV_FREE instead of MADV_DONTNEED.");
            }
            else if (d.Fact("target.runtime_version") is { } version && IsGoBefore116(version))
            {
                evidence.Add($"The program was built with {version}, whose runtime releases memory with MADV_FREE by default (Go 1.12–1.15).");
            }
        }

        var steps = new List<string>
        {
            "Nothing to fix in the program: the kernel reclaims these pages at once when it needs memory, without swapping. Judge the process by RSS minus LazyFree (or by PSS), not by RSS.",
        };
        if (d.Runtime == "go")
        {
            steps.Add(madvFree
                ? "To make RSS drop as soon as memory is released (what dashboards and OOM-watching tools expect), remove madvdontneed=0 from GODEBUG or set GODEBUG=madvdontneed=1; it costs a page fault when the memory is used again."
                : "To make RSS drop as soon as memory is released, run with GODEBUG=madvdontneed=1 (the default from Go 1.16): pages then leave RSS at once, at the cost of a page fault when reused.");
        }
        else if (d.Runtime == "dotnet")
        {
            steps.Add("The .NET GC hands free space it keeps for later back this way (it \"resets\" it with MADV_FREE rather than decommitting it), as do jemalloc and some other allocators; glibc's malloc does not. Nothing needs setting.");
        }
        else
        {
            steps.Add("The allocator in use releases memory with MADV_FREE (jemalloc and some others do, glibc's malloc does not); most have a setting to use MADV_DONTNEED instead if RSS must drop at once.");
        }

        steps.Add("In a container, the cgroup's usage counts these pages too until reclaim: the kernel reclaims them before it would OOM-kill, so a limit is not at risk because of them.");
        return new Finding(FindingIds.LazyFree, "Freed memory still counted in RSS (LazyFree)",
            "Part of RSS is memory the process has already given back with MADV_FREE: the kernel leaves such pages in place, counted in RSS, until it needs memory, then takes them at once. RSS overstates what the process holds.",
            share >= 0.25 ? Confidence.High : Confidence.Medium, evidence, since, to, steps);
    }

    private static bool IsGoBefore116(string version)
    {
        // "go1.15.7", "1.15", "go1.19.8"
        var text = version.Trim().TrimStart('g', 'o');
        var parts = text.Split('.');
        return parts.Length >= 2 && parts[0] == "1" && int.TryParse(parts[1], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int minor)
            && minor is >= 12 and < 16;
    }
}
