using System.Buffers.Binary;
using MemLens.Metrics;
using MemLens.Storage;
using Microsoft.Data.Sqlite;

namespace MemLens.Recording;

/// <summary>
/// Reads a recording: its facts, series and events, point by point or into a <see cref="MetricStore"/>. Works on a
/// file a <see cref="Recorder"/> is writing (it sees every committed flush) and on one left by a killed process.
/// Every problem with the file — missing, not SQLite, not a recording, too new, damaged — is a
/// <see cref="RecordingException"/> with a one-line message, whether it shows at <see cref="Open"/> or while reading.
/// </summary>
/// <remarks>
/// <see cref="Facts"/> and <see cref="MetricNames"/> are read at <see cref="Open"/>, <see cref="Series"/> and the time
/// range at first use; <see cref="ReadSeries"/> and <see cref="ReadEvents"/> see every flush committed until they are
/// called, so a reader can follow a recording as it grows. One reader is for one thread at a time.
/// </remarks>
public sealed class RecordingReader : IDisposable
{
    /// <summary>Most facts read (a recording has a few dozen).</summary>
    public const int MaxFacts = 10_000;

    /// <summary>Most series read (the catalog has about 60 metrics).</summary>
    public const int MaxMetrics = 10_000;

    /// <summary>Longest fact value read; longer ones are cut.</summary>
    public const int MaxFactChars = 64 * 1024;

    /// <summary>Longest bucket accepted from a file (the recorder writes one hour at most).</summary>
    private const long MaxSpanMs = 366L * 86_400_000;

    /// <summary>0001-01-01 and 9999-12-31T23:59:59.999Z in Unix ms: the times <see cref="DateTimeOffset"/> can show.</summary>
    private const long MinTimeMs = -62_135_596_800_000;

    private const long MaxTimeMs = 253_402_300_799_999;

    private static ReadOnlySpan<byte> SqliteMagic => "SQLite format 3\0"u8;

    private readonly SqliteConnection _connection;
    private readonly Dictionary<string, (long Id, string Unit)> _metrics;
    private IReadOnlyList<RecordedSeries>? _series;
    private (long? First, long? Last, long Count)? _events;
    private long _seriesOutOfRange;
    private long _eventsOutOfRange;

    private RecordingReader(string path, SqliteConnection connection, Dictionary<string, string> facts, Dictionary<string, (long Id, string Unit)> metrics)
    {
        Path = path;
        _connection = connection;
        Facts = facts;
        _metrics = metrics;
        MetricNames = [.. metrics.Keys.Order(StringComparer.Ordinal)];
    }

    /// <summary>The path as given to <see cref="Open"/>.</summary>
    public string Path { get; }

    /// <summary>Every fact of the recording (keys in <see cref="RecordingFacts"/>, and any other).</summary>
    public IReadOnlyDictionary<string, string> Facts { get; }

    /// <summary>Names of the series the recording declares, sorted; for validating a filter.</summary>
    public IReadOnlyList<string> MetricNames { get; }

    /// <summary>The series that hold at least one point, sorted by name. Counted on first use (one pass over the samples).</summary>
    public IReadOnlyList<RecordedSeries> Series => _series ??= Guard(LoadSeries);

    /// <summary>Oldest timestamp over series and events; null for an empty recording.</summary>
    public long? FirstMs => Min(Series.Count == 0 ? null : Series.Min(s => s.FirstMs), Events.First);

    /// <summary>Newest timestamp over series and events (a bucket counts at its start); null for an empty recording.</summary>
    public long? LastMs => Max(Series.Count == 0 ? null : Series.Max(s => s.LastMs), Events.Last);

    /// <summary>Events in the recording.</summary>
    public long EventCount => Events.Count;

    /// <summary>
    /// Rows (points and events) skipped because their time lies outside years 1 to 9999, which no recorder writes:
    /// a file altered or damaged by something else. They count in neither <see cref="Series"/> nor the time range.
    /// </summary>
    public long OutOfRangeRows
    {
        get
        {
            _ = Series;
            _ = Events;
            return _seriesOutOfRange + _eventsOutOfRange;
        }
    }

    private (long? First, long? Last, long Count) Events => _events ??= Guard(LoadEventRange);

    /// <summary>Opens a recording to read.</summary>
    /// <exception cref="RecordingException">
    /// One line: <c>no such file: X</c>, <c>X is not a SQLite database</c>, <c>X is not a MemLens recording</c>,
    /// <c>X was recorded by a newer MemLens (format N); this one reads format 1</c>, <c>X is damaged: …</c>.
    /// </exception>
    public static RecordingReader Open(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path))
        {
            throw new RecordingException(Directory.Exists(path) ? $"{path} is a directory, not a recording" : $"no such file: {path}");
        }

        CheckHeader(path);
        SqliteConnection? connection = null;
        try
        {
            connection = OpenConnection(path, SqliteOpenMode.ReadWrite);
            try
            {
                return Validate(path, connection);
            }
            catch (SqliteException ex) when (!IsContentError(ex))
            {
                // Not writable enough to recover a WAL, or to share it: try again read-only.
                connection.Dispose();
                connection = OpenConnection(path, SqliteOpenMode.ReadOnly);
                return Validate(path, connection);
            }
        }
        catch (RecordingException)
        {
            connection?.Dispose();
            throw;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            connection?.Dispose();
            throw Damaged(path, ex);
        }
    }

    /// <summary>
    /// Points of one series with <paramref name="fromMs"/> ≤ t ≤ <paramref name="toMs"/>, in time order (buckets by
    /// their start). An unknown name yields nothing (<see cref="MetricNames"/> lists the known ones).
    /// </summary>
    public IEnumerable<RecordedPoint> ReadSeries(string metric, long fromMs, long toMs)
    {
        ArgumentNullException.ThrowIfNull(metric);
        if (fromMs > toMs)
        {
            return [];
        }

        if (_metrics.TryGetValue(metric, out var m))
        {
            return ReadSeriesCore(m.Id, fromMs, toMs);
        }

        // A series a recorder still writing added after Open.
        long? id = Guard(() =>
        {
            using var command = _connection.CreateCommand();
            command.CommandText = "SELECT id FROM metrics WHERE name = $name";
            command.Parameters.AddWithValue("$name", metric);
            return command.ExecuteScalar() is long found ? found : (long?)null;
        });
        return id is { } newId ? ReadSeriesCore(newId, fromMs, toMs) : [];
    }

    /// <summary>Events with <paramref name="fromMs"/> ≤ t ≤ <paramref name="toMs"/>, in time order (then in recorded order).</summary>
    public IEnumerable<RecordedEvent> ReadEvents(long fromMs, long toMs) => fromMs <= toMs ? ReadEventsCore(fromMs, toMs) : [];

    /// <summary>
    /// Appends every series this MemLens knows (by catalog name; unknown ones are skipped and named in the result)
    /// and every event to <paramref name="store"/>, each series in time order. A raw sample is appended as it is;
    /// a bucket as up to three values within its period: its min, a value that keeps the bucket's mean where it
    /// can, and its max (docs/recording.md). <paramref name="progress"/> goes from 0 to 1.
    /// </summary>
    /// <exception cref="OperationCanceledException"><paramref name="ct"/> was cancelled; the store keeps what was appended.</exception>
    public LoadResult LoadInto(MetricStore store, IProgress<double>? progress = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        var series = Series;
        long total = Math.Max(1, series.Sum(s => s.Points) + EventCount);
        long done = 0, values = 0, skipped = 0, events = 0;
        long nextReport = 0;
        var unknown = new List<string>();
        progress?.Report(0);

        void Advance(long rows)
        {
            done += rows;
            if (progress is not null && done >= nextReport)
            {
                progress.Report(Math.Min(1.0, (double)done / total));
                nextReport = done + (total / 100) + 1;
            }
        }

        foreach (var s in series)
        {
            ct.ThrowIfCancellationRequested();
            if (!MetricCatalog.TryGet(s.Metric, out var metric))
            {
                unknown.Add(s.Metric);
                skipped += s.Points;
                Advance(s.Points);
                continue;
            }

            RecordedPoint? pending = null;
            long rows = 0;
            foreach (var point in ReadSeries(s.Metric, long.MinValue, long.MaxValue))
            {
                if (pending is { } p)
                {
                    values += Append(store, metric, p, point.TimestampMs);
                }

                pending = point;
                if ((++rows & 1023) == 0)
                {
                    ct.ThrowIfCancellationRequested();
                    Advance(1024);
                }
            }

            if (pending is { } lastPoint)
            {
                values += Append(store, metric, lastPoint, long.MaxValue);
            }

            Advance(rows & 1023);
        }

        long eventRows = 0;
        foreach (var memEvent in ReadEvents(long.MinValue, long.MaxValue))
        {
            store.AddEvent(memEvent);
            events++;
            if ((++eventRows & 1023) == 0)
            {
                ct.ThrowIfCancellationRequested();
                Advance(1024);
            }
        }

        Advance(eventRows & 1023);
        progress?.Report(1);
        return new LoadResult(values, events, unknown, skipped);
    }

    public void Dispose() => _connection.Dispose();

    /// <summary>
    /// One point into the store. A bucket becomes its min, x and its max at its start, a third and two thirds into
    /// it (kept before <paramref name="nextMs"/>), where x = 3·mean − min − max clamped to [min, max]: the three keep
    /// the bucket's extremes exactly and its mean whenever the mean lies in the middle third of the range.
    /// </summary>
    private static int Append(MetricStore store, MetricDescriptor metric, RecordedPoint p, long nextMs)
    {
        if (p.SpanMs <= 0 || p.Count == 1 || p.Min == p.Max)
        {
            store.Append(metric, p.TimestampMs, p.Mean);
            return 1;
        }

        long step = Math.Max(0, Math.Min(p.SpanMs / 3, (nextMs - p.TimestampMs - 1) / 2));
        double x = Math.Clamp((3 * p.Mean) - p.Min - p.Max, p.Min, p.Max);
        store.Append(metric, p.TimestampMs, p.Min);
        store.Append(metric, p.TimestampMs + step, x);
        store.Append(metric, p.TimestampMs + (2 * step), p.Max);
        return 3;
    }

    /// <summary>
    /// Merges the three places a series' points live, each read in index order: buckets, raw samples and the newest raw
    /// samples. (One UNION ALL … ORDER BY took three times as long: SQLite's merge of compound selects costs per row.)
    /// </summary>
    private IEnumerable<RecordedPoint> ReadSeriesCore(long id, long fromMs, long toMs)
    {
        const string range = "WHERE metric = $metric AND t >= $from AND t <= $to ORDER BY t";
        using var bucketCommand = SeriesCommand("SELECT t, span, mean, min, max, count FROM buckets " + range + ", span", id, fromMs, toMs);
        using var sampleCommand = SeriesCommand("SELECT t, value FROM samples " + range, id, fromMs, toMs);
        using var recentCommand = SeriesCommand("SELECT t, value FROM recent " + range, id, fromMs, toMs);
        using var buckets = new PointCursor(Execute(bucketCommand), raw: false, Path);
        using var samples = new PointCursor(Execute(sampleCommand), raw: true, Path);
        using var recent = new PointCursor(Execute(recentCommand), raw: true, Path);
        buckets.Advance();
        samples.Advance();
        recent.Advance();
        while (true)
        {
            var next = buckets.Has ? buckets : null;
            if (samples.Has && (next is null || PointCursor.Before(samples.Current, next.Current)))
            {
                next = samples;
            }

            if (recent.Has && (next is null || PointCursor.Before(recent.Current, next.Current)))
            {
                next = recent;
            }

            if (next is null)
            {
                yield break;
            }

            yield return next.Current;
            next.Advance();
        }
    }

    private SqliteCommand SeriesCommand(string sql, long id, long fromMs, long toMs)
    {
        var command = _connection.CreateCommand();
        command.CommandText = sql;
        command.Parameters.AddWithValue("$metric", id);
        command.Parameters.AddWithValue("$from", fromMs);
        command.Parameters.AddWithValue("$to", toMs);
        return command;
    }

    private IEnumerable<RecordedEvent> ReadEventsCore(long fromMs, long toMs)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = "SELECT t, type, text, fields FROM events WHERE t >= $from AND t <= $to ORDER BY t, id";
        command.Parameters.AddWithValue("$from", fromMs);
        command.Parameters.AddWithValue("$to", toMs);
        using var reader = Execute(command);
        while (Next(reader))
        {
            if (TryReadEvent(reader) is { } memEvent)
            {
                yield return memEvent;
            }
        }
    }

    private RecordedEvent? TryReadEvent(SqliteDataReader reader)
    {
        try
        {
            if (reader.IsDBNull(1) || !IsValidTime(reader.GetInt64(0)))
            {
                return null; // a damaged row: skipped
            }

            return new RecordedEvent(
                reader.GetInt64(0),
                reader.GetString(1),
                reader.IsDBNull(2) ? "" : reader.GetString(2),
                reader.IsDBNull(3) ? "{}" : reader.GetString(3));
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            throw Damaged(Path, ex);
        }
    }

    private SqliteDataReader Execute(SqliteCommand command)
    {
        try
        {
            return command.ExecuteReader();
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            throw Damaged(Path, ex);
        }
    }

    private bool Next(SqliteDataReader reader)
    {
        try
        {
            return reader.Read();
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            throw Damaged(Path, ex);
        }
    }

    private T Guard<T>(Func<T> read)
    {
        try
        {
            return read();
        }
        catch (RecordingException)
        {
            throw;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException and not ObjectDisposedException)
        {
            throw Damaged(Path, ex);
        }
    }

    // Rows whose time no recorder can have written (outside what DateTimeOffset shows) are left out of the counts and
    // the time range, as the readers of rows skip them, and counted in OutOfRangeRows: one such row must not stretch
    // the range to a duration that overflows (report, doctor and open printed a stack trace).
    private List<RecordedSeries> LoadSeries()
    {
        var result = new List<RecordedSeries>();
        long outOfRange = 0;
        using var command = _connection.CreateCommand();
        command.CommandText = """
            SELECT sum(n), min(first), max(last), sum(bad) FROM (
                SELECT count(*) FILTER (WHERE t BETWEEN $lo AND $hi) AS n, min(t) FILTER (WHERE t BETWEEN $lo AND $hi) AS first,
                       max(t) FILTER (WHERE t BETWEEN $lo AND $hi) AS last, count(*) FILTER (WHERE t NOT BETWEEN $lo AND $hi) AS bad
                    FROM samples WHERE metric = $metric
                UNION ALL
                SELECT count(*) FILTER (WHERE t BETWEEN $lo AND $hi), min(t) FILTER (WHERE t BETWEEN $lo AND $hi),
                       max(t) FILTER (WHERE t BETWEEN $lo AND $hi), count(*) FILTER (WHERE t NOT BETWEEN $lo AND $hi)
                    FROM recent WHERE metric = $metric
                UNION ALL
                SELECT count(*) FILTER (WHERE t BETWEEN $lo AND $hi), min(t) FILTER (WHERE t BETWEEN $lo AND $hi),
                       max(t) FILTER (WHERE t BETWEEN $lo AND $hi), count(*) FILTER (WHERE t NOT BETWEEN $lo AND $hi)
                    FROM buckets WHERE metric = $metric)
            """;
        var id = command.Parameters.Add("$metric", SqliteType.Integer);
        command.Parameters.AddWithValue("$lo", MinTimeMs);
        command.Parameters.AddWithValue("$hi", MaxTimeMs);
        foreach (string name in MetricNames)
        {
            var (metricId, unit) = _metrics[name];
            id.Value = metricId;
            using var reader = command.ExecuteReader();
            if (!reader.Read())
            {
                continue;
            }

            outOfRange += reader.IsDBNull(3) ? 0 : reader.GetInt64(3);
            if (!reader.IsDBNull(0) && reader.GetInt64(0) > 0)
            {
                result.Add(new RecordedSeries(name, unit, reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2)));
            }
        }

        _seriesOutOfRange = outOfRange;
        return result;
    }

    private (long? First, long? Last, long Count) LoadEventRange()
    {
        using var command = _connection.CreateCommand();
        command.CommandText = """
            SELECT min(t) FILTER (WHERE t BETWEEN $lo AND $hi), max(t) FILTER (WHERE t BETWEEN $lo AND $hi),
                   count(*) FILTER (WHERE t BETWEEN $lo AND $hi), count(*) FILTER (WHERE t NOT BETWEEN $lo AND $hi)
                FROM events
            """;
        command.Parameters.AddWithValue("$lo", MinTimeMs);
        command.Parameters.AddWithValue("$hi", MaxTimeMs);
        using var reader = command.ExecuteReader();
        reader.Read();
        _eventsOutOfRange = reader.GetInt64(3);
        return (reader.IsDBNull(0) ? null : reader.GetInt64(0), reader.IsDBNull(1) ? null : reader.GetInt64(1), reader.GetInt64(2));
    }

    // ---- opening ----

    /// <summary>The 100-byte SQLite header, checked before SQLite sees the file: magic, and a file shorter than the header says.</summary>
    private static void CheckHeader(string path)
    {
        Span<byte> header = stackalloc byte[100];
        long length;
        int read;
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            length = stream.Length;
            read = stream.ReadAtLeast(header, header.Length, throwOnEndOfStream: false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new RecordingException($"cannot read {path}: {SqliteMessages.OneLine(ex.Message)}", ex);
        }

        if (length == 0)
        {
            throw new RecordingException($"{path} is not a MemLens recording: the file is empty");
        }

        if (read < header.Length || !header[..16].SequenceEqual(SqliteMagic))
        {
            throw new RecordingException($"{path} is not a SQLite database");
        }

        // The header's page count is valid when the change counter equals "version valid for"; with no WAL beside
        // the file, every page it counts must be in the file.
        int pageSize = BinaryPrimitives.ReadUInt16BigEndian(header[16..]);
        pageSize = pageSize == 1 ? 65536 : pageSize;
        uint changeCounter = BinaryPrimitives.ReadUInt32BigEndian(header[24..]);
        long pages = BinaryPrimitives.ReadUInt32BigEndian(header[28..]);
        uint validFor = BinaryPrimitives.ReadUInt32BigEndian(header[92..]);
        var wal = new FileInfo(path + "-wal");
        if (pageSize >= 512 && (pageSize & (pageSize - 1)) == 0 && changeCounter == validFor && pages > 0
            && (!wal.Exists || wal.Length == 0) && pages * pageSize > length)
        {
            throw new RecordingException($"{path} is damaged: the file is truncated ({length} of {pages * pageSize} bytes)");
        }
    }

    private static SqliteConnection OpenConnection(string path, SqliteOpenMode mode)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = mode,
            Pooling = false,
            DefaultTimeout = 10,
        }.ToString());
        try
        {
            connection.Open();
            if (mode == SqliteOpenMode.ReadWrite)
            {
                // Opened read-write only so SQLite can recover a WAL left by a killed recorder; nothing is written.
                Sql.Exec(connection, "PRAGMA query_only = 1");
            }

            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    private static RecordingReader Validate(string path, SqliteConnection connection)
    {
        long applicationId = Sql.Long(connection, "PRAGMA application_id");
        if (applicationId != RecordingFormat.ApplicationId)
        {
            throw new RecordingException($"{path} is not a MemLens recording");
        }

        long version = Sql.Long(connection, "PRAGMA user_version");
        if (version > RecordingFormat.Version)
        {
            throw new RecordingException($"{path} was recorded by a newer MemLens (format {version}); this one reads format {RecordingFormat.Version}");
        }

        if (version < 1)
        {
            throw new RecordingException($"{path} is damaged: its format version is {version}");
        }

        var tables = new HashSet<string>(StringComparer.Ordinal);
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT name FROM sqlite_schema WHERE type = 'table'";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                if (!reader.IsDBNull(0))
                {
                    tables.Add(reader.GetString(0));
                }
            }
        }

        foreach (string table in RecordingFormat.RequiredTables)
        {
            if (!tables.Contains(table))
            {
                throw new RecordingException($"{path} is damaged: it has no {table} table");
            }
        }

        // Every column the reader uses, so a file with the right tables but other columns fails here, in one line.
        Sql.Exec(connection, """
            SELECT key, value FROM meta LIMIT 0;
            SELECT id, name, unit FROM metrics LIMIT 0;
            SELECT metric, t, value FROM samples LIMIT 0;
            SELECT metric, t, value FROM recent LIMIT 0;
            SELECT metric, span, t, mean, min, max, count FROM buckets LIMIT 0;
            SELECT id, t, type, text, fields FROM events LIMIT 0;
            """);

        var facts = new Dictionary<string, string>(StringComparer.Ordinal);
        using (var command = connection.CreateCommand())
        {
            command.CommandText = $"SELECT CAST(key AS TEXT), substr(CAST(value AS TEXT), 1, {MaxFactChars}) FROM meta LIMIT {MaxFacts}";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                if (!reader.IsDBNull(0) && !reader.IsDBNull(1))
                {
                    facts[reader.GetString(0)] = reader.GetString(1);
                }
            }
        }

        var metrics = new Dictionary<string, (long Id, string Unit)>(StringComparer.Ordinal);
        using (var command = connection.CreateCommand())
        {
            command.CommandText = $"SELECT id, CAST(name AS TEXT), CAST(unit AS TEXT) FROM metrics LIMIT {MaxMetrics}";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                if (!reader.IsDBNull(1))
                {
                    metrics[reader.GetString(1)] = (reader.GetInt64(0), reader.IsDBNull(2) ? "" : reader.GetString(2));
                }
            }
        }

        return new RecordingReader(path, connection, facts, metrics);
    }

    /// <summary>Errors that say something about the file's content, not about access to it: no point retrying read-only.</summary>
    private static bool IsContentError(SqliteException ex) =>
        ex.SqliteErrorCode is SqliteMessages.Corrupt or SqliteMessages.NotADatabase;

    private static RecordingException Damaged(string path, Exception ex)
    {
        if (ex is RecordingException recording)
        {
            return recording;
        }

        if (ex is SqliteException { SqliteErrorCode: SqliteMessages.NotADatabase })
        {
            return new RecordingException($"{path} is not a SQLite database", ex);
        }

        if (ex is SqliteException { SqliteErrorCode: SqliteMessages.Permission or SqliteMessages.IoError or SqliteMessages.CannotOpen })
        {
            return new RecordingException($"cannot read {path}: {SqliteMessages.Of(ex)}", ex);
        }

        return new RecordingException($"{path} is damaged: {SqliteMessages.Of(ex)}", ex);
    }

    /// <summary>
    /// Rows a recorder cannot have written are skipped rather than failing the whole read: a time outside what
    /// ISO-8601 can show, a negative count, a span longer than a year.
    /// </summary>
    private static bool IsValidTime(long t) => t is >= MinTimeMs and <= MaxTimeMs;

    /// <summary>One of the ordered row streams <see cref="ReadSeriesCore"/> merges; skips rows a recorder cannot have written.</summary>
    private sealed class PointCursor(SqliteDataReader reader, bool raw, string path) : IDisposable
    {
        public bool Has { get; private set; }

        public RecordedPoint Current { get; private set; }

        /// <summary>Time order; at equal times a raw sample before a minute bucket before an hour bucket.</summary>
        public static bool Before(in RecordedPoint a, in RecordedPoint b) =>
            a.TimestampMs < b.TimestampMs || (a.TimestampMs == b.TimestampMs && a.SpanMs < b.SpanMs);

        public void Advance()
        {
            try
            {
                while (reader.Read())
                {
                    // Raw columns are NOT NULL: a NULL there (a damaged file) throws and is reported as damage.
                    long t = reader.GetInt64(0);
                    if (raw)
                    {
                        double value = reader.GetDouble(1);
                        if (IsValidTime(t) && double.IsFinite(value))
                        {
                            Current = new RecordedPoint(t, RecordingFormat.RawSpanMs, value, value, value, 1);
                            Has = true;
                            return;
                        }

                        continue;
                    }

                    long span = reader.GetInt64(1);
                    double mean = reader.GetDouble(2), min = reader.GetDouble(3), max = reader.GetDouble(4);
                    long count = reader.GetInt64(5);
                    if (IsValidTime(t) && span is > 0 and <= MaxSpanMs && count >= 0
                        && double.IsFinite(mean) && double.IsFinite(min) && double.IsFinite(max))
                    {
                        Current = new RecordedPoint(t, span, mean, min, max, count);
                        Has = true;
                        return;
                    }
                }

                Has = false;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                Has = false;
                throw Damaged(path, ex);
            }
        }

        public void Dispose() => reader.Dispose();
    }

    private static long? Min(long? a, long? b) => a is null ? b : b is null ? a : Math.Min(a.Value, b.Value);

    private static long? Max(long? a, long? b) => a is null ? b : b is null ? a : Math.Max(a.Value, b.Value);
}
