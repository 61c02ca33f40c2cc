namespace MemLens.Recording;

/// <summary>
/// A recording could not be created or read: missing, not SQLite, not a MemLens recording, from a newer MemLens,
/// or damaged. The message is one line for people and names the file.
/// </summary>
public sealed class RecordingException : Exception
{
    public RecordingException()
    {
    }

    public RecordingException(string message) : base(message)
    {
    }

    public RecordingException(string message, Exception innerException) : base(message, innerException)
    {
    }
}
