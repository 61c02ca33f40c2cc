using MemLens.Doctor.Rules;
using MemLens.Metrics;
using MemLens.Storage;

namespace MemLens.Doctor;

/// <summary>
/// Reads a process's series and events and names what is happening to its memory (see docs/doctor.md). The rules and
/// their thresholds live in <see cref="DoctorRules"/>.
/// </summary>
public static class MemoryDoctor
{
    /// <summary>How the findings are ordered when several hold: the most harmful first (confidence breaks no ties between ids).</summary>
    private static readonly string[] s_severity =
    [
        FindingIds.ContainerPressure, FindingIds.ManagedLeak, FindingIds.NativeGrowth, FindingIds.GlibcArenas,
        FindingIds.Fragmentation, FindingIds.RuntimeRetention, FindingIds.LazyFree, FindingIds.NotEnoughData, FindingIds.Healthy,
    ];

    /// <summary>
    /// Judges the figures in <paramref name="store"/> between <paramref name="fromMs"/> and <paramref name="toMs"/>.
    /// <paramref name="facts"/> are the process's recorded facts (see docs/recording.md: runtime, GC mode, GODEBUG,
    /// MALLOC_* …); missing facts only make some advice less specific.
    /// </summary>
    public static DoctorReport Examine(MetricStore store, IReadOnlyDictionary<string, string> facts, long fromMs, long toMs)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(facts);
        var data = new DoctorData(store, facts, fromMs, toMs);
        if (!data.HasMemoryFigures)
        {
            return new DoctorReport(fromMs, toMs, [NoFigures(fromMs, toMs)]);
        }

        var findings = new List<Finding>();
        foreach (var rule in new Func<DoctorData, Finding?>[]
                 {
                     ContainerPressureRule.Evaluate, ManagedLeakRule.Evaluate, NativeGrowthRule.Evaluate, GlibcArenasRule.Evaluate,
                     FragmentationRule.Evaluate, RuntimeRetentionRule.Evaluate, LazyFreeRule.Evaluate,
                 })
        {
            if (rule(data) is { } finding)
            {
                findings.Add(finding);
            }
        }

        if (data.ObservedSeconds < DoctorRules.MinTrendSeconds)
        {
            findings.Add(TooShort(data));
        }
        else if (findings.Count == 0)
        {
            findings.Add(HealthyRule.Evaluate(data));
        }

        findings.Sort((a, b) => Array.IndexOf(s_severity, a.Id).CompareTo(Array.IndexOf(s_severity, b.Id)));
        return new DoctorReport(fromMs, toMs, findings);
    }

    private static Finding NoFigures(long fromMs, long toMs) =>
        new(FindingIds.NotEnoughData, "Not enough data",
            "There are no memory figures for this process in this range, so there is nothing to judge.",
            Confidence.High,
            [$"No RSS and no runtime heap figures between {Words.Range(fromMs, toMs)}."],
            fromMs, toMs,
            [
                "Check that the range covers the time the process was watched, and that /proc/<pid> could be read (same user, or root).",
                "Watch it for a few minutes: `memlens watch <pid>` (or `memlens run -- <command>`), then ask again.",
            ]);

    private static Finding TooShort(DoctorData d)
    {
        var evidence = new List<string>
        {
            $"Memory figures cover {Words.Duration(d.ObservedSeconds)} ({Words.Range(d.DataFromMs, d.DataToMs)}); judging a trend needs at least {Words.Duration(DoctorRules.MinTrendSeconds)}, and {Words.Duration(DoctorRules.LongWindowFactor * DoctorRules.MinTrendSeconds)} or more for a confident verdict.",
        };
        var rss = d.Series(MetricCatalog.ProcessRss);
        if (!rss.IsEmpty)
        {
            evidence.Add($"RSS so far: {Words.Bytes(rss.Mean[0])} → {Words.Bytes(rss.LastValue)}.");
        }

        return new Finding(FindingIds.NotEnoughData, "Not enough data yet",
            $"The process was observed for only {Words.Duration(d.ObservedSeconds)}: too short to tell a leak from start-up, a load peak or a GC cycle.",
            Confidence.High, evidence, d.DataFromMs, d.DataToMs,
            [$"Keep watching for at least {Words.Duration(DoctorRules.MinTrendSeconds)} — better several minutes, through a load peak and the quiet after it — then ask again."]);
    }
}
