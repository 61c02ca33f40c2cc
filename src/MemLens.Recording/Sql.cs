using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace MemLens.Recording;

/// <summary>Small helpers over one connection, for statements that are not on a hot path.</summary>
internal static class Sql
{
    public static void Exec(SqliteConnection connection, string sql)
    {
        // sqlite3_exec runs every statement of the text to its end (PRAGMA incremental_vacuum frees one page per step).
        var db = connection.Handle!;
        int rc = raw.sqlite3_exec(db, sql);
        if (rc != raw.SQLITE_OK)
        {
            SqliteException.ThrowExceptionForRC(rc, db);
        }
    }

    public static long Long(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar() is long value ? value : 0;
    }

    public static string? Text(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar() as string;
    }

    /// <summary>True while the connection is inside a transaction.</summary>
    public static bool InTransaction(SqliteConnection connection) => raw.sqlite3_get_autocommit(connection.Handle!) == 0;

    /// <summary>Rolls back an open transaction, if any, ignoring errors (SQLite may have rolled back already, e.g. on SQLITE_FULL).</summary>
    public static void RollbackQuietly(SqliteConnection connection)
    {
        try
        {
            if (connection.Handle is { } db && raw.sqlite3_get_autocommit(db) == 0)
            {
                raw.sqlite3_exec(db, "ROLLBACK");
            }
        }
        catch (Exception ex) when (ex is SqliteException or InvalidOperationException or ObjectDisposedException)
        {
            // The connection is unusable; the caller reports the original error.
        }
    }

    /// <summary>Bytes of pages in use: the database as the next checkpoint and vacuum will leave it, the WAL included.</summary>
    public static long UsedBytes(SqliteConnection connection) =>
        (Long(connection, "PRAGMA page_count") - Long(connection, "PRAGMA freelist_count")) * Long(connection, "PRAGMA page_size");

    /// <summary>Copies the WAL into the database and truncates it; false when a reader kept it from finishing.</summary>
    public static bool CheckpointTruncate(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA wal_checkpoint(TRUNCATE)";
        using var reader = command.ExecuteReader();
        return reader.Read() && reader.GetInt64(0) == 0;
    }

    public static long Floor(long t, long span) => t - (((t % span) + span) % span);
}
