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

/// <summary>Words for <see cref="RecorderState"/> as the dashboard's <c>api/status</c> and JSON outputs show them.</summary>
public static class RecorderStateExtensions
{
    /// <summary><c>recording</c>, <c>disk_full</c>, <c>stopped</c> or <c>closed</c>.</summary>
    public static string ToWord(this RecorderState state) => state switch
    {
        RecorderState.DiskFull => "disk_full",
        RecorderState.Stopped => "stopped",
        RecorderState.Closed => "closed",
        _ => "recording",
    };
}
