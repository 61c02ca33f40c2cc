using MemLens.Doctor;
using MemLens.Events;
using MemLens.Metrics;
using MemLens.Storage;

namespace MemLens.Tests.Doctor;

/// <summary>A store filled with made-up series and GCs, to put one rule at a time on its edges.</summary>
internal sealed class SyntheticProcess
{
    public const long T0 = 1_763_800_000_000; // 2025-11-22 08:26:40 UTC
    public const double MiB = 1 << 20;

    private long _gcIndex;

    public MetricStore Store { get; } = new(new MetricStoreOptions { MemoryBudgetBytes = 16 << 20 });

    public Dictionary<string, string> Facts { get; } = new(StringComparer.Ordinal);

    public static SyntheticProcess DotNet() => new() { Facts = { ["target.runtime"] = "dotnet" } };

    public static SyntheticProcess GoProgram() => new() { Facts = { ["target.runtime"] = "go" } };

    public static SyntheticProcess Native() => new() { Facts = { ["target.runtime"] = "native" } };

    /// <summary>One value per <paramref name="stepSeconds"/> from second 0 to <paramref name="seconds"/>, in MiB.</summary>
    public SyntheticProcess Series(MetricDescriptor metric, int seconds, Func<int, double> mib, int stepSeconds = 1)
    {
        for (int s = 0; s <= seconds; s += stepSeconds)
        {
            Store.Append(metric, T0 + (s * 1000L), mib(s) * MiB);
        }

        return this;
    }

    /// <summary>A count series (arenas, threads): values as they are.</summary>
    public SyntheticProcess Count(MetricDescriptor metric, int seconds, Func<int, double> value, int stepSeconds = 1)
    {
        for (int s = 0; s <= seconds; s += stepSeconds)
        {
            Store.Append(metric, T0 + (s * 1000L), value(s));
        }

        return this;
    }

    /// <summary>A .NET GC event, sizes in MiB; call in time order.</summary>
    public SyntheticProcess Gc(int second, int generation, double beforeMiB, double afterMiB, GcKind kind = GcKind.Background, string? reason = null, double fragmentedMiB = 0)
    {
        Store.AddEvent(new GcEvent(T0 + (second * 1000L), ++_gcIndex)
        {
            Generation = generation,
            Kind = generation == 2 ? kind : GcKind.Ephemeral,
            HasDetails = true,
            HeapSizeBeforeBytes = (long)(beforeMiB * MiB),
            HeapSizeAfterBytes = (long)(afterMiB * MiB),
            FragmentedBytes = (long)(fragmentedMiB * MiB),
            Reason = reason,
            Origin = "eventpipe",
        });
        return this;
    }

    public DoctorReport Examine(int seconds) => MemoryDoctor.Examine(Store, Facts, T0, T0 + (seconds * 1000L));
}
