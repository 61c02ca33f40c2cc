namespace MemLens.Demo;

/// <summary>What the command line asked for, already validated.</summary>
/// <param name="Scenario">Scenario name as typed on the command line (lower case). Default: steady.</param>
/// <param name="RateMiBPerSecond">Allocation rate in MiB/s, or null for the scenario's own default.</param>
/// <param name="MaxMiB">Cap on what a scenario holds, in MiB. Default: 512.</param>
/// <param name="Duration">How long to run, or null to run until stopped.</param>
internal sealed record DemoOptions(string Scenario, double? RateMiBPerSecond, long MaxMiB, TimeSpan? Duration)
{
    /// <summary>Where to serve the in-process dashboard (<c>MapMemLens</c>), e.g. <c>127.0.0.1:0</c>; null: no dashboard.</summary>
    public System.Net.IPEndPoint? Listen { get; init; }

    /// <summary>Access token the dashboard's API requires; null: none.</summary>
    public string? Token { get; init; }

    /// <summary>Record the in-process dashboard's store to this SQLite file (MemLensOptions.RecordTo); null: no recording.</summary>
    public string? RecordTo { get; init; }

    /// <summary>Bound on the recording's size in MiB. Default: 256.</summary>
    public long RecordMaxMiB { get; init; } = 256;

    public const long DefaultMaxMiB = 512;

    public static DemoOptions Default { get; } = new("steady", null, DefaultMaxMiB, null);

    public long MaxBytes => MaxMiB * 1024 * 1024;

    /// <summary>The rate in bytes per second, falling back to the scenario's default.</summary>
    public double RateBytesPerSecond(double defaultMiBPerSecond) =>
        (RateMiBPerSecond ?? defaultMiBPerSecond) * 1024 * 1024;
}
