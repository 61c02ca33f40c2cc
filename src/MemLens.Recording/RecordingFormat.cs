using MemLens.Metrics;

namespace MemLens.Recording;

/// <summary>The on-disk format of a recording (docs/recording.md): identifiers, tiers and the schema.</summary>
public static class RecordingFormat
{
    /// <summary>
    /// <c>PRAGMA application_id</c> of every MemLens recording: the ASCII bytes <c>MLNS</c>. It is what tells a
    /// recording from any other SQLite file (<c>file(1)</c> prints it as <c>application id 1296846419</c>).
    /// </summary>
    public const int ApplicationId = 0x4D4C4E53;

    /// <summary>
    /// <c>PRAGMA user_version</c>: the format this code writes and the newest it reads. Adding a table, a column or a
    /// fact keeps the version; changing the meaning of one bumps it.
    /// </summary>
    public const int Version = 1;

    /// <summary><c>span</c> of a raw sample: one value as the sampler saw it.</summary>
    public const long RawSpanMs = 0;

    /// <summary><c>span</c> of a 1-minute bucket (aligned to the minute, Unix time).</summary>
    public const long MinuteSpanMs = 60_000;

    /// <summary><c>span</c> of a 1-hour bucket (aligned to the hour, Unix time).</summary>
    public const long HourSpanMs = 3_600_000;

    /// <summary>The unit as the <c>metrics.unit</c> column and the exports spell it.</summary>
    public static string UnitName(MetricUnit unit) => unit switch
    {
        MetricUnit.Bytes => "bytes",
        MetricUnit.Count => "count",
        MetricUnit.Seconds => "seconds",
        MetricUnit.Ratio => "ratio",
        _ => "unknown",
    };

    /// <summary>The kind as the <c>metrics.kind</c> column spells it.</summary>
    internal static string KindName(MetricKind kind) => kind == MetricKind.Counter ? "counter" : "gauge";

    /// <summary>Tables, index and view of format 1, created in one transaction after the PRAGMAs (see docs/recording.md).</summary>
    internal const string Schema = """
        CREATE TABLE meta(
            key   TEXT PRIMARY KEY,
            value TEXT NOT NULL
        );
        CREATE TABLE metrics(
            id   INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            unit TEXT NOT NULL,
            kind TEXT NOT NULL
        );
        CREATE TABLE samples(
            metric INTEGER NOT NULL,
            t      INTEGER NOT NULL,
            value  REAL NOT NULL,
            PRIMARY KEY(metric, t)
        ) WITHOUT ROWID;
        CREATE TABLE recent(
            t      INTEGER NOT NULL,
            metric INTEGER NOT NULL,
            value  REAL NOT NULL,
            PRIMARY KEY(t, metric)
        ) WITHOUT ROWID;
        CREATE TABLE buckets(
            metric INTEGER NOT NULL,
            span   INTEGER NOT NULL,
            t      INTEGER NOT NULL,
            mean   REAL NOT NULL,
            min    REAL NOT NULL,
            max    REAL NOT NULL,
            count  INTEGER NOT NULL,
            PRIMARY KEY(metric, span, t)
        ) WITHOUT ROWID;
        CREATE TABLE events(
            id        INTEGER PRIMARY KEY,
            t         INTEGER NOT NULL,
            type      TEXT NOT NULL,
            text      TEXT NOT NULL,
            fields    TEXT NOT NULL,
            ephemeral INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX events_t ON events(t);
        CREATE VIEW points AS
            SELECT m.name AS metric, m.unit AS unit, s.t AS t,
                   strftime('%Y-%m-%dT%H:%M:%fZ', s.t / 1000.0, 'unixepoch') AS time,
                   0 AS span, s.value AS value, s.value AS min, s.value AS max, 1 AS count
            FROM samples s JOIN metrics m ON m.id = s.metric
            UNION ALL
            SELECT m.name, m.unit, r.t, strftime('%Y-%m-%dT%H:%M:%fZ', r.t / 1000.0, 'unixepoch'),
                   0, r.value, r.value, r.value, 1
            FROM recent r JOIN metrics m ON m.id = r.metric
            UNION ALL
            SELECT m.name, m.unit, b.t, strftime('%Y-%m-%dT%H:%M:%fZ', b.t / 1000.0, 'unixepoch'),
                   b.span, b.mean, b.min, b.max, b.count
            FROM buckets b JOIN metrics m ON m.id = b.metric;
        """;

    /// <summary>The tables a file must have to be read as a recording.</summary>
    internal static readonly string[] RequiredTables = ["meta", "metrics", "samples", "recent", "buckets", "events"];

    /// <summary>
    /// Moves the newest raw samples from <c>recent</c> (time-major: a flush appends at its end, touching a page or two)
    /// into <c>samples</c> (series-major: one insertion point per series), in one statement per table.
    /// </summary>
    internal const string MoveRecentSql = """
        INSERT INTO samples(metric, t, value) SELECT metric, t, value FROM recent WHERE true ORDER BY metric, t ON CONFLICT DO NOTHING;
        DELETE FROM recent;
        """;
}
