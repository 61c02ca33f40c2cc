using MemLens.Storage;

namespace MemLens.Doctor;

/// <summary>
/// Reads a process's series and events and names what is happening to its memory (see docs/doctor.md). The rules and
/// their thresholds live in <see cref="DoctorRules"/>.
/// </summary>
public static class MemoryDoctor
{
    /// <summary>
    /// Judges the figures in <paramref name="store"/> between <paramref name="fromMs"/> and <paramref name="toMs"/>.
    /// <paramref name="facts"/> are the process's recorded facts (see docs/recording.md: runtime, GC mode, GODEBUG,
    /// MALLOC_* …); missing facts only make some advice less specific.
    /// </summary>
    public static DoctorReport Examine(MetricStore store, IReadOnlyDictionary<string, string> facts, long fromMs, long toMs)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(facts);
        // Scaffolding while the rules are written (issue 6): replaced by the real analysis.
        return new DoctorReport(fromMs, toMs,
        [
            new Finding(FindingIds.NotEnoughData, "Not judged", "The doctor's rules are not in this build yet.", Confidence.Low, [], fromMs, toMs, []),
        ]);
    }
}

/// <summary>The doctor's thresholds, each with why it is what it is.</summary>
public static class DoctorRules
{
}
