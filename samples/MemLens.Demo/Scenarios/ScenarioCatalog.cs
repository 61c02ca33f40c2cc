namespace MemLens.Demo.Scenarios;

/// <summary>The scenario names the command line accepts, and how each is built from the options.</summary>
internal static class ScenarioCatalog
{
    private const long MiB = 1024 * 1024;

    public static IReadOnlyList<string> Names { get; } =
        ["steady", "leak", "spike", "native-leak", "fragmentation", "idle"];

    public static IScenario Create(DemoOptions options)
    {
        var traffic = BackgroundTraffic.DefaultRateMiB * MiB;
        return options.Scenario switch
        {
            "steady" => new SteadyScenario(options.RateBytesPerSecond(SteadyScenario.DefaultRateMiB)),
            "leak" => new LeakScenario(options.RateBytesPerSecond(LeakScenario.DefaultRateMiB), options.MaxBytes),
            "spike" => new SpikeScenario(Math.Min(SpikeScenario.DefaultSpikeMiB * MiB, options.MaxBytes), options.RateBytesPerSecond(BackgroundTraffic.DefaultRateMiB)),
            "native-leak" => new NativeLeakScenario(options.RateBytesPerSecond(NativeLeakScenario.DefaultRateMiB), options.MaxBytes, traffic),
            "fragmentation" => new FragmentationScenario(options.RateBytesPerSecond(FragmentationScenario.DefaultRateMiB), options.MaxBytes),
            "idle" => new IdleScenario(Math.Min(IdleScenario.DefaultLiveMiB * MiB, options.MaxBytes)),
            _ => throw new ArgumentOutOfRangeException(nameof(options), options.Scenario, "unknown scenario"),
        };
    }
}
