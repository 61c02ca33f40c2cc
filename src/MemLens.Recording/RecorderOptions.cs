namespace MemLens.Recording;

/// <summary>Options of <see cref="Recorder"/>; read once, by <see cref="Recorder.Start"/>.</summary>
public sealed class RecorderOptions
{
    /// <summary>Smallest accepted <see cref="MaxBytes"/>: 1 MiB.</summary>
    public const long MinimumMaxBytes = 1L << 20;

    /// <summary>
    /// How often new values, events and facts are written, each time in one transaction. A process killed with
    /// SIGKILL loses at most this much (plus the flush under way). Default: 1 s. Range: 10 ms to 1 h.
    /// </summary>
    public TimeSpan FlushInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Bound of the file's size on disk, the database and its write-ahead log together. When a flush leaves
    /// more, the oldest data is downsampled (raw → 1-minute → 1-hour buckets) rather than dropped, see
    /// docs/recording.md. Default: 256 MiB. Minimum: 1 MiB (<see cref="MinimumMaxBytes"/>).
    /// </summary>
    public long MaxBytes { get; init; } = 256L << 20;
}
