namespace MemLens.Demo.Scenarios;

/// <summary>The scenario names the command line accepts, and how each is built from the options.</summary>
internal static class ScenarioCatalog
{
    private const long MiB = 1024 * 1024;

    public static IReadOnlyList<string> Names { get; } =
        ["steady", "leak", "spike", "native-leak", "fragmentation", "idle"];

    public static IScenario Create(DemoOptions options)
    {
        // A quarter of the usual trickle: until the first GC (some 20 MiB of gen0 here) every
        // byte of it is fresh resident memory, and at 1 MiB/s it added half again to the
        // native leak's RSS slope in the first 20 s (measured 3.1 instead of 2 MiB/s).
        var nativeLeakTraffic = BackgroundTraffic.DefaultRateMiB * MiB / 4;
        return options.Scenario switch
        {
            "steady" => new SteadyScenario(options.RateBytesPerSecond(SteadyScenario.DefaultRateMiB)),
            "leak" => new LeakScenario(options.RateBytesPerSecond(LeakScenario.DefaultRateMiB), options.MaxBytes),
            "spike" => new SpikeScenario(Math.Min(SpikeScenario.DefaultSpikeMiB * MiB, options.MaxBytes), options.RateBytesPerSecond(BackgroundTraffic.DefaultRateMiB)),
            "native-leak" => new NativeLeakScenario(options.RateBytesPerSecond(NativeLeakScenario.DefaultRateMiB), options.MaxBytes, nativeLeakTraffic),
            "fragmentation" => new FragmentationScenario(options.RateBytesPerSecond(FragmentationScenario.DefaultRateMiB), options.MaxBytes),
            "idle" => new IdleScenario(Math.Min(IdleScenario.DefaultLiveMiB * MiB, options.MaxBytes)),
            _ => throw new ArgumentOutOfRangeException(nameof(options), options.Scenario, "unknown scenario"),
        };
    }
}
