namespace MemLens.Snapshots;

/// <summary>A snapshot file could not be read: missing, too big, not JSON, not a snapshot, or inconsistent. The message is one line for people and names the file.</summary>
public sealed class SnapshotFileException : Exception
{
    public SnapshotFileException()
    {
    }

    public SnapshotFileException(string message) : base(message)
    {
    }

    public SnapshotFileException(string message, Exception innerException) : base(message, innerException)
    {
    }
}
