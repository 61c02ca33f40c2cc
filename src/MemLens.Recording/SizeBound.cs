using Microsoft.Data.Sqlite;

namespace MemLens.Recording;

/// <summary>
/// Makes room in a recording that grew past its bound, by downsampling rather than losing periods
/// (docs/recording.md, "Size bound"). Each step is one transaction, so a crash in the middle leaves a consistent
/// file; steps repeat until the pages in use fit the target.
/// </summary>
/// <remarks>
/// The ladder, tried in this order at every step:
/// <list type="number">
/// <item>events over <see cref="EventShare"/> of the target: drop the oldest quarter of the ephemeral events
/// (gen0/gen1 GCs, unforced Go GCs, scavenger reports; see <see cref="EventRetention"/>);</item>
/// <item>minute and hour buckets over <see cref="RollupShare"/>: fold the oldest quarter of the minute range into hours;</item>
/// <item>raw samples older than <see cref="KeepRawMs"/>: the oldest quarter of the raw range into minute buckets;</item>
/// <item>then, with nothing of the above left: fold minutes, drop ephemeral events, downsample raw samples down to the
/// newest minute, and only last drop the oldest quarter of the hour buckets (with the events of that period), then
/// the oldest events.</item>
/// </list>
/// Every cut is aligned to the bucket it makes, so a bucket always replaces every row of its period; buckets carry
/// min and max of what they replaced and the count-weighted mean.
/// </remarks>
internal sealed class SizeBound
{
    /// <summary>Share of the target that minute and hour buckets may use before minutes are folded into hours.</summary>
    public const double RollupShare = 0.25;

    /// <summary>Share of the target that events may use before the oldest ephemeral events are dropped.</summary>
    public const double EventShare = 0.25;

    /// <summary>The recent past that stays at full resolution while anything else can give way.</summary>
    public const long KeepRawMs = 3_600_000;

    /// <summary>Most steps of one reduction: each removes a quarter of something (or a step's worth), so far fewer are ever needed.</summary>
    private const int MaxSteps = 2000;

    /// <summary>
    /// Part of the target one step may rewrite. A step's transaction goes through the WAL, so this bounds how far the
    /// file can pass its bound while a reduction runs (a quarter of 256 MiB of raw samples in one step made a 36 MiB
    /// WAL); SQLite's automatic checkpoint after each step lets the next one reuse the WAL.
    /// </summary>
    private const int StepsPerTarget = 12;

    private const long Minute = RecordingFormat.MinuteSpanMs;
    private const long Hour = RecordingFormat.HourSpanMs;

    /// <summary>Raw samples before $cut into minute buckets: exact mean, min, max and count of what they replace.</summary>
    private const string RawToMinutesSql = """
        INSERT INTO buckets(metric, span, t, mean, min, max, count)
        SELECT metric, $span, t - t % $span, avg(value), min(value), max(value), count(*)
        FROM samples WHERE metric = $metric AND t < $cut
        GROUP BY t - t % $span
        """ + MergeSql;

    /// <summary>Minute buckets before $cut into hour buckets: count-weighted mean (count 0, "not known", weighs as 1).</summary>
    private const string MinutesToHoursSql = """
        INSERT INTO buckets(metric, span, t, mean, min, max, count)
        SELECT metric, $span, t - t % $span, sum(mean * max(count, 1)) / sum(max(count, 1)), min(min), max(max), sum(count)
        FROM buckets WHERE metric = $metric AND span = $from AND t < $cut
        GROUP BY t - t % $span
        """ + MergeSql;

    /// <summary>A bucket that already exists for the period (only after a store's own rollups were recorded) takes the new one in.</summary>
    private const string MergeSql = """

        ON CONFLICT(metric, span, t) DO UPDATE SET
            mean = (mean * max(count, 1) + excluded.mean * max(excluded.count, 1)) / (max(count, 1) + max(excluded.count, 1)),
            min = min(min, excluded.min), max = max(max, excluded.max), count = count + excluded.count
        """;

    private readonly SqliteConnection _connection;
    private readonly TierCounts _counts;
    private readonly string _walPath;
    private long _stepBytes = long.MaxValue;

    public SizeBound(SqliteConnection connection, TierCounts counts, string path)
    {
        _connection = connection;
        _counts = counts;
        _walPath = path + "-wal";
    }

    /// <summary>Largest the WAL was after any step so far (the file's transient peak is the database plus this).</summary>
    public long LargestWalBytes { get; private set; }

    /// <summary>Steps taken by the last <see cref="Reduce"/>, for tests and diagnostics.</summary>
    public int LastSteps { get; private set; }

    /// <summary>What the steps did, newest last (at most 100 kept), for tests and diagnostics.</summary>
    public List<string> Log { get; } = [];

    /// <summary>Reduces until the pages in use fit <paramref name="targetBytes"/> or nothing is left to give up.</summary>
    /// <returns>False when the target could not be reached.</returns>
    public bool Reduce(long targetBytes)
    {
        LastSteps = 0;
        InTransaction(() => Sql.Exec(_connection, RecordingFormat.MoveRecentSql)); // every raw sample where the cuts see it
        while (LastSteps < MaxSteps)
        {
            if (Sql.UsedBytes(_connection) <= targetBytes)
            {
                return true;
            }

            if (!Step(targetBytes))
            {
                return false;
            }

            LastSteps++;
            var wal = new FileInfo(_walPath);
            LargestWalBytes = Math.Max(LargestWalBytes, wal.Exists ? wal.Length : 0);
        }

        return Sql.UsedBytes(_connection) <= targetBytes;
    }

    private bool Step(long target)
    {
        _stepBytes = Math.Max(64 * 1024, target / StepsPerTarget);
        var c = _counts;
        if (c.EventBytes > EventShare * target && c.EphemeralEvents > 0)
        {
            return DropEvents(ephemeralOnly: true);
        }

        if (c.MinuteBytes + c.HourBytes > RollupShare * target && c.MinuteRows > 0 && FoldMinutes())
        {
            return true;
        }

        return RawToMinutes(KeepRawMs)
            || (c.MinuteRows > 0 && FoldMinutes())
            || (c.EphemeralEvents > 0 && DropEvents(ephemeralOnly: true))
            || RawToMinutes(Minute)
            || (c.HourRows > 0 && DropOldestHours())
            || (c.EphemeralEvents + c.OtherEvents > 0 && DropEvents(ephemeralOnly: false));
    }

    /// <summary>The oldest quarter of the raw range (at least a minute, never the newest <paramref name="keepMs"/>) into minute buckets.</summary>
    /// <remarks>
    /// Each series stops short of the minute holding its own newest value: that minute may still get values (a series
    /// sampled less often, or one not yet written in a flush of several transactions), and a bucket must replace all
    /// of its minute, never sit beside raw samples of it.
    /// </remarks>
    private bool RawToMinutes(long keepMs)
    {
        var edges = Edges(RecordingFormat.RawSpanMs);
        // Series with at least one whole minute before the one of their newest value: the others cannot give anything.
        var candidates = edges.Where(e => Sql.Floor(e.Last, Minute) > e.First).ToList();
        if (candidates.Count == 0)
        {
            return false;
        }

        long from = candidates.Min(e => e.First), to = edges.Max(e => e.Last);
        long lowest = Sql.Floor(from, Minute) + Minute;
        long highest = Sql.Floor(to - keepMs, Minute);
        if (highest < lowest)
        {
            return false;
        }

        long cut = Math.Clamp(Sql.Floor(from + Math.Min((to - from) / 4, StepSpan(_counts.RawRows, TierCounts.RawRowBytes, to - from)), Minute), lowest, highest);
        var cuts = candidates
            .Select(e => (e.Metric, e.First, Cut: Math.Min(cut, Sql.Floor(e.Last, Minute))))
            .Where(e => e.Cut > e.First)
            .Select(e => (e.Metric, e.Cut))
            .ToList();
        if (cuts.Count == 0)
        {
            return false;
        }

        Fold(cuts, RecordingFormat.RawSpanMs, Minute);
        Note($"raw to minutes before {cut} (keep {keepMs})");
        return true;
    }

    /// <summary>
    /// The oldest quarter of the minute range (at least an hour) into hour buckets. Each series stops short of the hour
    /// its raw samples start in (or, without any, of the hour of its newest minute), which may still get minutes.
    /// </summary>
    private bool FoldMinutes()
    {
        var rawStarts = Edges(RecordingFormat.RawSpanMs).ToDictionary(e => e.Metric, e => e.First);
        var candidates = Edges(Minute)
            .Select(e => (e.Metric, e.First, e.Last, Limit: Sql.Floor(rawStarts.TryGetValue(e.Metric, out long raw) ? raw : e.Last, Hour)))
            .Where(e => e.Limit > e.First)
            .ToList();
        if (candidates.Count == 0)
        {
            return false;
        }

        long from = candidates.Min(e => e.First), to = candidates.Max(e => e.Last);
        long cut = Math.Max(Sql.Floor(from + Math.Min((to - from) / 4, StepSpan(_counts.MinuteRows, TierCounts.BucketRowBytes, to - from)), Hour), Sql.Floor(from, Hour) + Hour);
        var cuts = candidates
            .Select(e => (e.Metric, e.First, Cut: Math.Min(cut, e.Limit)))
            .Where(e => e.Cut > e.First)
            .Select(e => (e.Metric, e.Cut))
            .ToList();
        if (cuts.Count == 0)
        {
            return false;
        }

        Fold(cuts, Minute, Hour);
        Note($"minutes to hours before {cut}");
        return true;
    }

    /// <summary>Last resort: the oldest quarter of the hour range goes, with the events of that period.</summary>
    private bool DropOldestHours()
    {
        var edges = Edges(Hour);
        if (edges.Count == 0)
        {
            return false;
        }

        long from = edges.Min(e => e.First), to = edges.Max(e => e.Last);
        long cut = Math.Max(Sql.Floor(from + ((to - from) / 4), Hour), Sql.Floor(from, Hour) + Hour);
        var counts = _counts.Clone();
        InTransaction(() =>
        {
            using var delete = Command("DELETE FROM buckets WHERE metric = $metric AND span = $span AND t < $cut");
            var metric = delete.Parameters.Add("$metric", SqliteType.Integer);
            delete.Parameters.AddWithValue("$span", Hour);
            delete.Parameters.AddWithValue("$cut", cut);
            foreach (var e in edges)
            {
                metric.Value = e.Metric;
                counts.HourRows -= delete.ExecuteNonQuery();
            }

            DeleteEvents(counts, "SELECT id FROM events WHERE t < $cut", cut);
        });
        _counts.CopyFrom(counts);
        Note($"hours dropped before {cut}");
        return true;
    }

    /// <summary>The oldest quarter of the events (of the ephemeral ones only, or of all).</summary>
    private bool DropEvents(bool ephemeralOnly)
    {
        long count = ephemeralOnly ? _counts.EphemeralEvents : _counts.EphemeralEvents + _counts.OtherEvents;
        long bytes = ephemeralOnly ? _counts.EphemeralEventBytes : _counts.EventBytes;
        long perStep = bytes <= 0 ? count : Math.Max(1, (long)(count * Math.Min(1.0, (double)_stepBytes / bytes)));
        long n = Math.Max(1, Math.Min(count / 4, perStep));
        var counts = _counts.Clone();
        InTransaction(() => DeleteEvents(counts,
            ephemeralOnly ? "SELECT id FROM events WHERE ephemeral = 1 ORDER BY t LIMIT $n" : "SELECT id FROM events ORDER BY t LIMIT $n", n));
        _counts.CopyFrom(counts);
        return true;
    }

    /// <summary>Deletes the events <paramref name="idsSql"/> selects (one parameter, bound to <paramref name="argument"/>), counting what goes.</summary>
    private void DeleteEvents(TierCounts counts, string idsSql, long argument)
    {
        string parameter = idsSql.Contains("$cut", StringComparison.Ordinal) ? "$cut" : "$n";
        using (var measure = Command($"""
            SELECT ephemeral, count(*), coalesce(sum(length(text) + length(fields)), 0)
            FROM events WHERE id IN ({idsSql}) GROUP BY ephemeral
            """))
        {
            measure.Parameters.AddWithValue(parameter, argument);
            using var reader = measure.ExecuteReader();
            while (reader.Read())
            {
                long n = reader.GetInt64(1);
                long bytes = reader.GetInt64(2) + (n * TierCounts.EventOverheadBytes);
                if (reader.GetInt64(0) != 0)
                {
                    counts.EphemeralEvents -= n;
                    counts.EphemeralEventBytes -= bytes;
                }
                else
                {
                    counts.OtherEvents -= n;
                    counts.OtherEventBytes -= bytes;
                }
            }
        }

        using var delete = Command($"DELETE FROM events WHERE id IN ({idsSql})");
        delete.Parameters.AddWithValue(parameter, argument);
        delete.ExecuteNonQuery();
    }

    /// <summary>Turns, in each series, every <paramref name="fromSpan"/> row older than its cut into <paramref name="toSpan"/> buckets.</summary>
    private void Fold(List<(long Metric, long Cut)> cuts, long fromSpan, long toSpan)
    {
        bool raw = fromSpan == RecordingFormat.RawSpanMs;
        var counts = _counts.Clone();
        InTransaction(() =>
        {
            using var insert = Command(raw ? RawToMinutesSql : MinutesToHoursSql);
            using var delete = Command(raw
                ? "DELETE FROM samples WHERE metric = $metric AND t < $cut"
                : "DELETE FROM buckets WHERE metric = $metric AND span = $from AND t < $cut");
            var insertMetric = insert.Parameters.Add("$metric", SqliteType.Integer);
            var insertCut = insert.Parameters.Add("$cut", SqliteType.Integer);
            insert.Parameters.AddWithValue("$span", toSpan);
            var deleteMetric = delete.Parameters.Add("$metric", SqliteType.Integer);
            var deleteCut = delete.Parameters.Add("$cut", SqliteType.Integer);
            if (!raw)
            {
                insert.Parameters.AddWithValue("$from", fromSpan);
                delete.Parameters.AddWithValue("$from", fromSpan);
            }

            foreach (var (metric, cut) in cuts)
            {
                insertMetric.Value = deleteMetric.Value = metric;
                insertCut.Value = deleteCut.Value = cut;
                counts.AddRows(toSpan, insert.ExecuteNonQuery());
                counts.AddRows(fromSpan, -delete.ExecuteNonQuery());
            }
        });
        _counts.CopyFrom(counts);
    }

    private void Note(string step)
    {
        if (Log.Count == 100)
        {
            Log.RemoveAt(0);
        }

        Log.Add(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{step}: {Sql.UsedBytes(_connection)} bytes used"));
    }

    private void InTransaction(Action body)
    {
        Sql.Exec(_connection, "BEGIN IMMEDIATE");
        try
        {
            body();
            Sql.Exec(_connection, "COMMIT");
        }
        catch
        {
            Sql.RollbackQuietly(_connection);
            throw;
        }
    }

    private List<long> MetricIds()
    {
        var ids = new List<long>();
        using var command = Command("SELECT id FROM metrics ORDER BY id");
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            ids.Add(reader.GetInt64(0));
        }

        return ids;
    }

    /// <summary>The time span whose rows of one tier take about one step's bytes, from the tier's average density.</summary>
    private long StepSpan(long rows, int rowBytes, long range)
    {
        long stepRows = Math.Max(1, _stepBytes / rowBytes);
        return rows <= stepRows ? range : (long)(range * ((double)stepRows / rows));
    }

    /// <summary>Oldest and newest timestamp of one tier in each series that has rows in it; each edge is one index lookup.</summary>
    private List<(long Metric, long First, long Last)> Edges(long span)
    {
        bool raw = span == RecordingFormat.RawSpanMs;
        using var first = Command(raw
            ? "SELECT t FROM samples WHERE metric = $metric ORDER BY t LIMIT 1"
            : "SELECT t FROM buckets WHERE metric = $metric AND span = $span ORDER BY t LIMIT 1");
        using var last = Command(raw
            ? "SELECT t FROM samples WHERE metric = $metric ORDER BY t DESC LIMIT 1"
            : "SELECT t FROM buckets WHERE metric = $metric AND span = $span ORDER BY t DESC LIMIT 1");
        var firstMetric = first.Parameters.Add("$metric", SqliteType.Integer);
        var lastMetric = last.Parameters.Add("$metric", SqliteType.Integer);
        if (!raw)
        {
            first.Parameters.AddWithValue("$span", span);
            last.Parameters.AddWithValue("$span", span);
        }

        var edges = new List<(long, long, long)>();
        foreach (long m in MetricIds())
        {
            firstMetric.Value = m;
            lastMetric.Value = m;
            if (first.ExecuteScalar() is long f)
            {
                edges.Add((m, f, last.ExecuteScalar() is long l ? l : f));
            }
        }

        return edges;
    }

    private SqliteCommand Command(string sql)
    {
        var command = _connection.CreateCommand();
        command.CommandText = sql;
        return command;
    }
}
