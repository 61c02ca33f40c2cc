namespace MemLens.Recording;

/// <summary>Where a <see cref="Recorder"/> stands; see <see cref="Recorder.State"/>.</summary>
public enum RecorderState
{
    /// <summary>Flushes succeed (or fail for a reason still being retried, see <see cref="Recorder.LastError"/>).</summary>
    Recording,

    /// <summary>
    /// The file system is full: nothing new reaches the file, the store keeps the newest data in memory within its
    /// own bound, and the recorder keeps trying until there is room again.
    /// </summary>
    DiskFull,

    /// <summary>Recording stopped for good after <see cref="Recorder.MaxConsecutiveFailures"/> failures in a row.</summary>
    Stopped,

    /// <summary>Disposed: the file is closed.</summary>
    Closed,
}
