namespace MemLens.Sampling;

/// <summary>
/// Produces metric values and events. A source knows nothing of storage or surfaces; the
/// <see cref="Sampler"/> calls <see cref="Sample"/> on its own thread, one call at a time.
/// </summary>
public interface IMetricSource : IDisposable
{
    /// <summary>Short stable name shown in status lines, e.g. <c>procfs</c>, <c>smaps_rollup</c>, <c>dotnet.gc</c>.</summary>
    string Name { get; }

    /// <summary>
    /// How long to wait before the next call. Read after every call, so a source whose cost varies
    /// (smaps_rollup) can adapt its own pace.
    /// </summary>
    TimeSpan Interval { get; }

    /// <summary>
    /// Reads the source once and writes what it found. Fields the system does not provide are not
    /// written (absent, never zero). May throw: the sampler records the error and keeps the other
    /// sources running; <see cref="TargetExitedException"/> stops this source for good.
    /// </summary>
    void Sample(ISampleWriter writer);
}
