using System.Globalization;
using MemLens.Metrics;

namespace MemLens.Doctor.Rules;

/// <summary>
/// container-pressure: the cgroup's usage stays near its limit in the recent part of the range, and not only because
/// of page cache. See docs/doctor.md#container-pressure.
/// </summary>
internal static class ContainerPressureRule
{
    public static Finding? Evaluate(DoctorData d)
    {
        if (d.ObservedSeconds < DoctorRules.MinStateSeconds)
        {
            return null;
        }

        var usage = d.Series(MetricCatalog.ContainerUsage);
        var limit = d.Series(MetricCatalog.ContainerLimit);
        if (usage.IsEmpty || limit.IsEmpty)
        {
            return null;
        }

        long from = d.RecentFromMs, to = d.DataToMs;
        double limitNow = limit.MedianBetween(from, to);
        if (!(limitNow > 0))
        {
            return null;
        }

        double near = usage.ShareWhere(from, to, i => usage.Max[i] >= DoctorRules.ContainerNearLimitShare * limitNow);
        if (near < DoctorRules.SustainedShare)
        {
            return null;
        }

        double used = usage.MedianBetween(from, to);
        double anon = d.Series(MetricCatalog.ContainerAnon).MedianBetween(from, to);
        double file = d.Series(MetricCatalog.ContainerFile).MedianBetween(from, to);
        if (double.IsFinite(anon) && anon < DoctorRules.ContainerMinAnonShare * limitNow)
        {
            return null; // mostly page cache: the kernel reclaims it before it kills anything
        }

        var evidence = new List<string>
        {
            $"cgroup memory usage was {Words.Bytes(used)} of its {Words.Bytes(limitNow)} limit ({Words.Percent(used / limitNow)}, median), at or above {Words.Percent(DoctorRules.ContainerNearLimitShare)} in {Words.Percent(near)} of the readings, {Words.Range(from, to)}.",
        };
        if (double.IsFinite(anon))
        {
            evidence.Add($"Of it, {Words.Bytes(anon)} is anonymous memory (cannot be reclaimed without swap)" + (double.IsFinite(file) ? $" and {Words.Bytes(file)} page cache (reclaimable)." : "."));
        }

        var rss = d.Series(MetricCatalog.ProcessRss);
        if (!rss.IsEmpty)
        {
            evidence.Add($"This process's RSS: {Words.Bytes(rss.MedianBetween(from, to))}; other processes in the cgroup and kernel memory make up the rest.");
        }

        var steps = new List<string>
        {
            "The OOM killer ends a process in this cgroup when usage reaches the limit and nothing can be reclaimed: find what grows (the other findings, if any) or raise the limit.",
        };
        steps.Add(d.Runtime switch
        {
            "dotnet" => HardLimitAdvice(d),
            "go" => d.Fact("env.GOMEMLIMIT") is { } g
                ? $"GOMEMLIMIT is {g}: keep it at about 90 % of the container limit ({Words.Bytes(0.9 * limitNow)}) so the Go GC works harder before the kernel has to act."
                : $"Set GOMEMLIMIT to about 90 % of the container limit (e.g. GOMEMLIMIT={(long)(0.9 * limitNow / (1 << 20))}MiB): the Go GC then collects harder as the heap nears it, instead of the kernel killing the process (Go 1.19+).",
            _ => "Limit the program's own caches and pools to fit the container, or raise the limit.",
        });
        return new Finding(FindingIds.ContainerPressure, "Near the container's memory limit",
            "The container (cgroup) this process runs in uses nearly all the memory it is allowed. At the limit the kernel reclaims what it can and then kills a process: the next load peak may end in an OOM kill.",
            near >= 0.9 && anon >= 0.8 * limitNow ? Confidence.High : Confidence.Medium,
            evidence, from, to, steps);
    }

    private static string HardLimitAdvice(DoctorData d)
    {
        var settings = d.Facts.Where(f => f.Key.StartsWith("env.DOTNET_GCHeapHardLimit", StringComparison.OrdinalIgnoreCase))
            .Select(f => $"{f.Key[4..]}={f.Value}").ToList();
        var available = d.Series(MetricCatalog.GcAvailable);
        string seen = available.IsEmpty ? "" : $" (the GC sees {Words.Bytes(available.LastValue)} available)";
        if (settings.Count > 0)
        {
            string hex = settings.FirstOrDefault(s => s.StartsWith("DOTNET_GCHeapHardLimit=", StringComparison.OrdinalIgnoreCase)) is { } h
                && long.TryParse(h[(h.IndexOf('=', StringComparison.Ordinal) + 1)..].Replace("0x", "", StringComparison.OrdinalIgnoreCase), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out long bytes)
                ? $" ({Words.Bytes(bytes)}; the value is hexadecimal)"
                : "";
            return $"The GC's hard limit is set: {string.Join(", ", settings)}{hex}{seen}. Keep the managed heap's limit below the container's, leaving room for native memory, or the kernel acts before the GC does.";
        }

        return $"The .NET GC takes 75 % of the container limit as its heap limit by default{seen}; DOTNET_GCHeapHardLimit (bytes, hexadecimal) or DOTNET_GCHeapHardLimitPercent set it explicitly, so the GC collects harder before the kernel has to act.";
    }
}
