using Microsoft.Data.Sqlite;

namespace MemLens.Recording;

/// <summary>One-line texts out of SQLite's and the runtime's exceptions, for <see cref="RecordingException"/> and <see cref="Recorder.LastError"/>.</summary>
internal static class SqliteMessages
{
    /// <summary>SQLITE_PERM: access permission denied.</summary>
    public const int Permission = 3;

    /// <summary>SQLITE_IOERR: the operating system reported an I/O error.</summary>
    public const int IoError = 10;

    /// <summary>SQLITE_CANTOPEN: the file could not be opened.</summary>
    public const int CannotOpen = 14;

    /// <summary>SQLITE_CORRUPT: the file's structure is inconsistent.</summary>
    public const int Corrupt = 11;

    /// <summary>SQLITE_FULL: the disk (or max_page_count) is full.</summary>
    public const int Full = 13;

    /// <summary>SQLITE_NOTADB: not a database file.</summary>
    public const int NotADatabase = 26;

    /// <summary>
    /// SQLite's own words without the provider's wrapping: <c>SQLite Error 11: 'database disk image is malformed'.</c>
    /// becomes <c>database disk image is malformed</c>.
    /// </summary>
    public static string Of(Exception ex)
    {
        string message = ex.Message;
        if (ex is SqliteException)
        {
            int open = message.IndexOf('\'', StringComparison.Ordinal);
            int close = message.LastIndexOf('\'');
            if (message.StartsWith("SQLite Error", StringComparison.Ordinal) && open >= 0 && close > open)
            {
                message = message[(open + 1)..close];
            }
        }

        return OneLine(message);
    }

    /// <summary>Collapses line breaks so a message stays on one line.</summary>
    public static string OneLine(string text) =>
        text.Replace("\r\n", " ", StringComparison.Ordinal).Replace('\n', ' ').Replace('\r', ' ').Trim();
}
