namespace MemLens.Demo.Scenarios;

/// <summary>
/// One memory behaviour for MemLens to watch. The command loop and the progress line only read
/// the counters, from other threads, so implementations keep them safe to read at any time.
/// </summary>
internal interface IScenario
{
    /// <summary>Name as given to --scenario.</summary>
    string Name { get; }

    /// <summary>What the scenario is doing now, e.g. "growing", "capped", "holding".</summary>
    string Phase { get; }

    /// <summary>Bytes of managed objects the scenario keeps reachable (approximate, payload plus headers).</summary>
    long ManagedBytesHeld { get; }

    /// <summary>Bytes of unmanaged memory the scenario has allocated and not freed.</summary>
    long NativeBytesHeld { get; }

    /// <summary>
    /// Work done before "ready" is printed, so a test that waits for "ready" sees the state the
    /// scenario promises (the idle live set, for instance) rather than a half-built one.
    /// </summary>
    void Prepare();

    /// <summary>The workload; returns when <paramref name="cancellationToken"/> is cancelled.</summary>
    Task RunAsync(CancellationToken cancellationToken);
}
