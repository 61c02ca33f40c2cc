using System.Globalization;
using System.Reflection;
using MemLens.Formatting;
using MemLens.Metrics;
using MemLens.Storage;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace MemLens.Recording;

/// <summary>
/// The recorder's side of the file: creates it, copies what is new in a store in bounded transactions, keeps it
/// within its size bound. Not thread-safe: <see cref="Recorder"/> serialises every call.
/// </summary>
internal sealed class RecordingWriter : IDisposable
{
    /// <summary>Most values one transaction writes; a store with more to catch up is written in several in a row.</summary>
    public const int MaxValuesPerTransaction = 20_000;

    /// <summary>Most points asked of the store at once: the size of the arrays one query allocates.</summary>
    public const int MaxPointsPerQuery = 4096;

    /// <summary>Longest fact value kept (longer ones are cut); facts are for a command line, not for data.</summary>
    public const int MaxFactChars = 64 * 1024;

    /// <summary>Longest event text kept (longer ones are cut): a line for people.</summary>
    public const int MaxEventTextChars = 4096;

    /// <summary>
    /// Raw samples gathered in <c>recent</c> before they move to <c>samples</c> together. Appending to the time-major
    /// <c>recent</c> dirties a page or two per flush, where inserting into the series-major <c>samples</c> dirties one
    /// leaf page per series: with 30 series flushed every second that was ~35 pages (140 KiB) of WAL per second for
    /// ~600 bytes of data.
    /// </summary>
    public const int MoveRecentRows = 4096;

    // A second value in the same millisecond of a series is dropped: the store keeps such values, a row cannot.
    private const string InsertSampleSql = "INSERT INTO recent(t, metric, value) VALUES(?2, ?1, ?3) ON CONFLICT DO NOTHING";

    private const string InsertBucketSql =
        "INSERT INTO buckets(metric, span, t, mean, min, max, count) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT DO NOTHING";

    private readonly SqliteConnection _connection;
    private readonly sqlite3 _db;
    private readonly sqlite3_stmt _insertSample;
    private readonly sqlite3_stmt _insertBucket;
    private readonly SqliteCommand _insertEvent;
    private readonly SqliteCommand _upsertFact;
    private readonly EventFields _eventFields = new();
    private readonly TierCounts _counts = new();
    private readonly SizeBound _bound;
    private readonly long _maxBytes;
    private readonly long _walLimitBytes;
    private readonly long[] _written;   // per catalog id: newest timestamp committed, long.MinValue for none
    private readonly long[] _staged;    // the same within the transaction under way
    private readonly long[] _metricIds; // per catalog id: metrics.id, 0 until the metric is first seen
    private TierCounts _stagedCounts = new();
    private long _eventCursor;
    private long _recentRows;
    private long _stagedRecentRows;
    private bool _disposed;

    private RecordingWriter(string path, SqliteConnection connection, long maxBytes)
    {
        Path = path;
        _connection = connection;
        _db = connection.Handle!;
        _maxBytes = maxBytes;
        // The WAL is folded into the database once it passes an eighth of the bound (at most SQLite's usual 4 MiB),
        // so it never holds much of the budget.
        _walLimitBytes = Math.Min(4L << 20, maxBytes / 8);
        Check(raw.sqlite3_prepare_v2(_db, InsertSampleSql, out _insertSample));
        Check(raw.sqlite3_prepare_v2(_db, InsertBucketSql, out _insertBucket));
        _insertEvent = Prepare("INSERT INTO events(t, type, text, fields, ephemeral) VALUES($t, $type, $text, $fields, $ephemeral)",
            ("$t", SqliteType.Integer), ("$type", SqliteType.Text), ("$text", SqliteType.Text), ("$fields", SqliteType.Text), ("$ephemeral", SqliteType.Integer));
        _upsertFact = Prepare("INSERT INTO meta(key, value) VALUES($key, $value) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            ("$key", SqliteType.Text), ("$value", SqliteType.Text));
        _bound = new SizeBound(connection, _counts, path);
        _written = new long[MetricCatalog.Count];
        _staged = new long[MetricCatalog.Count];
        _metricIds = new long[MetricCatalog.Count];
        Array.Fill(_written, long.MinValue);
    }

    public string Path { get; }

    public long ValuesWritten { get; private set; }

    public long EventsWritten { get; private set; }

    public long EventsLost { get; private set; }

    /// <summary>Database plus WAL, as measured after the last flush.</summary>
    public long BytesOnDisk { get; private set; }

    /// <summary>Why the file is above its bound after the last flush, or null when it is within it.</summary>
    public string? OverBound { get; private set; }

    /// <summary>Rows per tier as the writer counts them (tests and diagnostics).</summary>
    internal TierCounts Counts => _counts;

    /// <summary>Steps the size bound took in the last flush (tests and diagnostics).</summary>
    internal int LastReductionSteps { get; private set; }

    /// <summary>The size bound's steps, newest last (tests and diagnostics).</summary>
    internal IReadOnlyList<string> ReductionLog => _bound.Log;

    /// <summary>Largest the WAL was between two steps of a reduction (tests and diagnostics).</summary>
    internal long LargestReductionWalBytes => _bound.LargestWalBytes;

    /// <summary>Largest the WAL was after a transaction, before the bound folded it in (tests and diagnostics).</summary>
    internal long LargestTransactionWalBytes { get; private set; }

    /// <summary>Reductions so far (tests and diagnostics).</summary>
    internal int Reductions { get; private set; }

    /// <summary>Creates the file (which must not exist or be empty), its schema and the first facts.</summary>
    public static RecordingWriter Create(string path, IReadOnlyDictionary<string, string> facts, RecorderOptions options)
    {
        CreateEmptyFile(path);
        SqliteConnection? connection = null;
        try
        {
            connection = new SqliteConnection(new SqliteConnectionStringBuilder
            {
                DataSource = path,
                Mode = SqliteOpenMode.ReadWrite,
                Pooling = false,
            }.ToString());
            connection.Open();
            InitialiseSchema(connection, path, options.MaxBytes);
            var writer = new RecordingWriter(path, connection, options.MaxBytes);
            var all = new Dictionary<string, string>(facts, StringComparer.Ordinal)
            {
                [RecordingFacts.RecordingStarted] = Timestamps.ToIso8601(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()),
                [RecordingFacts.MemLensVersion] = Version(),
            };
            Sql.Exec(connection, "BEGIN IMMEDIATE");
            writer.WriteFacts(all);
            Sql.Exec(connection, "COMMIT");
            Sql.CheckpointTruncate(connection);
            writer.MeasureSize();
            return writer;
        }
        catch (Exception ex) when (ex is SqliteException or IOException)
        {
            connection?.Dispose();
            TryDelete(path);
            throw new RecordingException($"cannot record to {path}: {SqliteMessages.Of(ex)}", ex);
        }
        catch
        {
            connection?.Dispose();
            TryDelete(path);
            throw;
        }
    }

    /// <summary>
    /// Writes everything new in <paramref name="store"/> (values, events) and <paramref name="facts"/>, in
    /// transactions of at most <see cref="MaxValuesPerTransaction"/> values, then keeps the file within its bound.
    /// Counters and cursors move only when a transaction commits, so a failed flush is simply tried again.
    /// </summary>
    public void Flush(MetricStore store, IReadOnlyCollection<KeyValuePair<string, string>> facts)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!File.Exists(Path))
        {
            throw new IOException($"{Path} was deleted");
        }

        var metrics = store.Metrics;
        EnsureMetricIds(metrics);
        bool first = true;
        while (true)
        {
            Array.Copy(_written, _staged, _written.Length);
            _stagedCounts = _counts.Clone();
            _stagedRecentRows = _recentRows;
            int budget = MaxValuesPerTransaction;
            long values = 0, events = 0, lost = 0, cursor = _eventCursor;
            Sql.Exec(_connection, "BEGIN IMMEDIATE");
            try
            {
                foreach (var metric in metrics)
                {
                    values += WriteSeries(store, metric, ref budget);
                    if (budget <= 0)
                    {
                        break;
                    }
                }

                if (first)
                {
                    events = WriteEvents(store, out cursor, out lost);
                    if (lost > 0)
                    {
                        WriteFact(RecordingFacts.EventsLost, (EventsLost + lost).ToString(CultureInfo.InvariantCulture));
                    }

                    WriteFacts(facts);
                }

                if (_stagedRecentRows >= MoveRecentRows)
                {
                    Sql.Exec(_connection, RecordingFormat.MoveRecentSql);
                    _stagedRecentRows = 0;
                }

                Sql.Exec(_connection, "COMMIT");
            }
            catch
            {
                Sql.RollbackQuietly(_connection);
                throw;
            }

            Array.Copy(_staged, _written, _written.Length);
            _counts.CopyFrom(_stagedCounts);
            _recentRows = _stagedRecentRows;
            _eventCursor = cursor;
            ValuesWritten += values;
            EventsWritten += events;
            EventsLost += lost;
            first = false;
            KeepWithinBound();
            if (budget > 0)
            {
                return;
            }
        }
    }

    /// <summary>Folds the WAL into the database, truncates it and closes the file.</summary>
    public void Close(bool markStopped)
    {
        if (_disposed)
        {
            return;
        }

        try
        {
            if (markStopped && File.Exists(Path))
            {
                Sql.Exec(_connection, "BEGIN IMMEDIATE");
                try
                {
                    // A file at rest keeps its raw samples in one table.
                    Sql.Exec(_connection, RecordingFormat.MoveRecentSql);
                    WriteFact(RecordingFacts.RecordingStopped, Timestamps.ToIso8601(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()));
                    Sql.Exec(_connection, "COMMIT");
                }
                catch
                {
                    Sql.RollbackQuietly(_connection);
                    throw;
                }

                Sql.CheckpointTruncate(_connection);
                MeasureSize();
            }
        }
        finally
        {
            Dispose();
        }
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _insertSample.Dispose();
        _insertBucket.Dispose();
        _insertEvent.Dispose();
        _upsertFact.Dispose();
        _connection.Dispose();
    }

    /// <summary>Folds the WAL into the database and truncates it (tests that count what a flush writes).</summary>
    internal void Checkpoint() => Sql.CheckpointTruncate(_connection);

    /// <summary>Caps the database's pages, which makes SQLite fail with SQLITE_FULL like a full disk (tests).</summary>
    internal void SetMaxPageCount(long pages) => Sql.Exec(_connection, $"PRAGMA max_page_count = {pages.ToString(CultureInfo.InvariantCulture)}");

    // ---- series ----

    /// <summary>
    /// Copies what <paramref name="metric"/> has after the newest value written. Raw points come as they are; a part the
    /// store already rolled up before it was written (a recorder started late, or starved for hours) is written as the
    /// store returns it on a 1-minute grid, with count 0 for "not known" (a store's hour bucket lands whole in the minute
    /// it starts; the bucket of the minute in which full resolution starts sits beside that minute's raw samples until
    /// the size bound folds them together).
    /// </summary>
    private long WriteSeries(MetricStore store, MetricDescriptor metric, ref int budget)
    {
        if (!store.TryGetLatest(metric, out long latest, out _) || latest <= _staged[metric.Id]
            || store.GetSeriesInfo(metric) is not { } info)
        {
            return 0;
        }

        const long minute = RecordingFormat.MinuteSpanMs;
        long dbId = _metricIds[metric.Id];
        long last = _staged[metric.Id];
        long written = 0;
        long fullFrom = info.FullResolutionFromMs ?? latest;
        long from = last == long.MinValue ? fullFrom : Math.Max(last + 1, fullFrom);
        if ((last == long.MinValue || last + 1 < fullFrom) && store.TryGetFirst(metric, out long first, out _) && first < fullFrom)
        {
            long a = last == long.MinValue ? Sql.Floor(first, minute) : Sql.Floor(last + minute, minute);
            long b = Sql.Floor(fullFrom, minute) - 1;
            while (a <= b && budget > 0)
            {
                long end = Math.Min(b, a + (MaxPointsPerQuery * minute) - 1);
                var data = store.Query(metric, a, end, (int)((end - a + 1) / minute));
                for (int i = 0; i < data.Count; i++)
                {
                    InsertBucket(dbId, data.Timestamps[i], minute, data.Mean[i], data.Min[i], data.Max[i], 0);
                }

                written += data.Count;
                budget -= Math.Max(1, data.Count);
                _staged[metric.Id] = end;
                a = end + 1;
            }

            if (a <= b)
            {
                return written;
            }

            // The minute in which full resolution starts: its bucket holds the values before fullFrom.
            long m = b + 1;
            if (m < fullFrom && m > last)
            {
                var data = store.Query(metric, m, fullFrom - 1, 1);
                if (data.Count == 1)
                {
                    InsertBucket(dbId, m, minute, data.Mean[0], data.Min[0], data.Max[0], 0);
                    written++;
                    budget--;
                }

                _staged[metric.Id] = fullFrom - 1;
            }
        }

        // Windows of about MaxPointsPerQuery points, guessed from the store's density and halved while it says more.
        long window = info.RawPoints > MaxPointsPerQuery && latest > fullFrom
            ? Math.Max(1, (long)((latest - fullFrom) * (MaxPointsPerQuery * 0.9 / info.RawPoints)))
            : long.MaxValue;
        while (from <= latest && budget > 0)
        {
            long to = latest - from < window ? latest : from + window;
            var data = store.Query(metric, from, to, MaxPointsPerQuery);
            while (data.Downsampled && to - from >= MaxPointsPerQuery)
            {
                to = from + ((to - from) / 2);
                window = to - from;
                data = store.Query(metric, from, to, MaxPointsPerQuery);
            }

            if (data.Downsampled)
            {
                // More values than MaxPointsPerQuery within as many milliseconds (or a rollup that appeared meanwhile):
                // one point per millisecond, so nothing is merged but values of the same millisecond.
                data = store.Query(metric, from, to, (int)(to - from + 1));
            }

            for (int i = 0; i < data.Count; i++)
            {
                InsertSample(dbId, data.Timestamps[i], data.Mean[i]);
            }

            written += data.Count;
            budget -= data.Count;
            _staged[metric.Id] = to;
            from = to + 1;
        }

        return written;
    }

    /// <summary>One raw sample.</summary>
    private void InsertSample(long metric, long t, double value)
    {
        var s = _insertSample;
        raw.sqlite3_bind_int64(s, 1, metric);
        raw.sqlite3_bind_int64(s, 2, t);
        raw.sqlite3_bind_double(s, 3, value);
        Step(s);
        int added = raw.sqlite3_changes(_db);
        _stagedCounts.RawRows += added;
        _stagedRecentRows += added;
    }

    /// <summary>One bucket.</summary>
    private void InsertBucket(long metric, long t, long span, double mean, double min, double max, long count)
    {
        var s = _insertBucket;
        raw.sqlite3_bind_int64(s, 1, metric);
        raw.sqlite3_bind_int64(s, 2, span);
        raw.sqlite3_bind_int64(s, 3, t);
        raw.sqlite3_bind_double(s, 4, mean);
        raw.sqlite3_bind_double(s, 5, min);
        raw.sqlite3_bind_double(s, 6, max);
        raw.sqlite3_bind_int64(s, 7, count);
        Step(s);
        _stagedCounts.AddRows(span, raw.sqlite3_changes(_db));
    }

    private void Step(sqlite3_stmt statement)
    {
        int rc = raw.sqlite3_step(statement);
        raw.sqlite3_reset(statement);
        if (rc != raw.SQLITE_DONE)
        {
            SqliteException.ThrowExceptionForRC(rc, _db);
        }
    }

    private void EnsureMetricIds(IReadOnlyList<MetricDescriptor> metrics)
    {
        foreach (var metric in metrics)
        {
            if (_metricIds[metric.Id] != 0)
            {
                continue;
            }

            using var command = _connection.CreateCommand();
            command.CommandText = """
                INSERT INTO metrics(name, unit, kind) VALUES($name, $unit, $kind) ON CONFLICT(name) DO NOTHING;
                SELECT id FROM metrics WHERE name = $name;
                """;
            command.Parameters.AddWithValue("$name", metric.Name);
            command.Parameters.AddWithValue("$unit", RecordingFormat.UnitName(metric.Unit));
            command.Parameters.AddWithValue("$kind", RecordingFormat.KindName(metric.Kind));
            _metricIds[metric.Id] = (long)command.ExecuteScalar()!;
        }
    }

    // ---- events and facts ----

    private long WriteEvents(MetricStore store, out long cursor, out long lost)
    {
        var events = store.GetEventsAddedSince(_eventCursor, out cursor, out lost);
        foreach (var memEvent in events)
        {
            string text = SqliteMessages.OneLine(memEvent.Describe());
            text = text.Length > MaxEventTextChars ? text[..MaxEventTextChars] : text;
            string fields = _eventFields.ToJson(memEvent);
            bool ephemeral = EventRetention.IsEphemeral(memEvent);
            var p = _insertEvent.Parameters;
            p[0].Value = memEvent.TimestampMs;
            p[1].Value = memEvent.Type;
            p[2].Value = text;
            p[3].Value = fields;
            p[4].Value = ephemeral ? 1L : 0L;
            _insertEvent.ExecuteNonQuery();
            _stagedCounts.AddEvent(ephemeral, text.Length + fields.Length + TierCounts.EventOverheadBytes);
        }

        return events.Count;
    }

    private void WriteFacts(IEnumerable<KeyValuePair<string, string>> facts)
    {
        foreach (var (key, value) in facts)
        {
            WriteFact(key, value);
        }
    }

    private void WriteFact(string key, string value)
    {
        _upsertFact.Parameters[0].Value = key;
        _upsertFact.Parameters[1].Value = value.Length > MaxFactChars ? value[..MaxFactChars] : value;
        _upsertFact.ExecuteNonQuery();
    }

    // ---- size ----

    /// <summary>
    /// After a commit: folds the WAL in when it (or the total) grew past its limit, and when the file is still over
    /// the bound, reduces it to three quarters of the bound, returns the freed pages and truncates the WAL, so the
    /// bound holds again with a quarter of it to grow into before the next reduction.
    /// </summary>
    private void KeepWithinBound()
    {
        var (db, wal) = Sizes();
        LargestTransactionWalBytes = Math.Max(LargestTransactionWalBytes, wal);
        if (db + wal > _maxBytes || wal > _walLimitBytes)
        {
            Sql.CheckpointTruncate(_connection);
            (db, wal) = Sizes();
        }

        LastReductionSteps = 0;
        bool reached = true;
        if (db + wal > _maxBytes)
        {
            _recentRows = 0; // the bound moves them first
            reached = _bound.Reduce(_maxBytes / 4 * 3);
            LastReductionSteps = _bound.LastSteps;
            Reductions++;
            Sql.Exec(_connection, "PRAGMA incremental_vacuum");
            Sql.CheckpointTruncate(_connection);
            (db, wal) = Sizes();
        }

        OverBound = db + wal <= _maxBytes ? null
            : !reached ? "nothing older is left to downsample"
            : "a reader keeps the write-ahead log from being folded in";
        BytesOnDisk = db + wal;
    }

    private void MeasureSize()
    {
        var (db, wal) = Sizes();
        BytesOnDisk = db + wal;
    }

    private (long Db, long Wal) Sizes() => (FileLength(Path), FileLength(Path + "-wal"));

    private static long FileLength(string path)
    {
        var info = new FileInfo(path);
        return info.Exists ? info.Length : 0;
    }

    // ---- creation ----

    /// <summary>Creates the file, or accepts an empty one; never overwrites data. Leftover -wal/-shm of an old file of that name are removed.</summary>
    private static void CreateEmptyFile(string path)
    {
        if (Directory.Exists(path))
        {
            throw new RecordingException($"{path} exists and is a directory");
        }

        try
        {
            using (new FileStream(path, FileMode.CreateNew, FileAccess.Write))
            {
            }
        }
        catch (IOException) when (File.Exists(path))
        {
            if (new FileInfo(path).Length > 0)
            {
                throw new RecordingException($"{path} exists: give another file name or delete it first");
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new RecordingException($"cannot create {path}: {SqliteMessages.OneLine(ex.Message)}", ex);
        }

        // A WAL left by an older file of the same name would be replayed into the new one.
        foreach (string suffix in (string[])["-wal", "-shm", "-journal"])
        {
            File.Delete(path + suffix);
        }
    }

    private static void InitialiseSchema(SqliteConnection connection, string path, long maxBytes)
    {
        // auto_vacuum must be chosen before the first table exists; INCREMENTAL keeps a map of free pages so that
        // PRAGMA incremental_vacuum can give them back to the file system after a reduction.
        Sql.Exec(connection, "PRAGMA auto_vacuum = INCREMENTAL");
        string? mode = Sql.Text(connection, "PRAGMA journal_mode = WAL");
        if (!string.Equals(mode, "wal", StringComparison.OrdinalIgnoreCase))
        {
            throw new RecordingException($"cannot record to {path}: its file system does not support SQLite's write-ahead log (journal mode {mode})");
        }

        long walLimit = Math.Min(4L << 20, maxBytes / 8);
        string pragmas = string.Create(CultureInfo.InvariantCulture, $"""
            PRAGMA synchronous = NORMAL;
            PRAGMA journal_size_limit = {walLimit};
            PRAGMA wal_autocheckpoint = {Math.Max(16, walLimit / 4096)};
            """);
        Sql.Exec(connection, pragmas);
        Sql.Exec(connection, "BEGIN IMMEDIATE");
        try
        {
            Sql.Exec(connection, string.Create(CultureInfo.InvariantCulture,
                $"PRAGMA application_id = {RecordingFormat.ApplicationId}; PRAGMA user_version = {RecordingFormat.Version};"));
            Sql.Exec(connection, RecordingFormat.Schema);
            Sql.Exec(connection, "COMMIT");
        }
        catch
        {
            Sql.RollbackQuietly(connection);
            throw;
        }
    }

    private static string Version() =>
        typeof(RecordingWriter).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? typeof(RecordingWriter).Assembly.GetName().Version?.ToString()
        ?? "unknown";

    private static void TryDelete(string path)
    {
        foreach (string suffix in (string[])["", "-wal", "-shm"])
        {
            try
            {
                File.Delete(path + suffix);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Best effort: the caller reports why recording could not start.
            }
        }
    }

    private SqliteCommand Prepare(string sql, params (string Name, SqliteType Type)[] parameters)
    {
        var command = _connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, type) in parameters)
        {
            command.Parameters.Add(name, type);
        }

        command.Prepare();
        return command;
    }

    private void Check(int rc)
    {
        if (rc != raw.SQLITE_OK)
        {
            SqliteException.ThrowExceptionForRC(rc, _db);
        }
    }
}
