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

    /// <summary>Most steps of one reduction: each removes a quarter of something, so far fewer are ever needed.</summary>
    private const int MaxSteps = 500;

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

    public SizeBound(SqliteConnection connection, TierCounts counts)
    {
        _connection = connection;
        _counts = counts;
    }

    /// <summary>Steps taken by the last <see cref="Reduce"/>, for tests and diagnostics.</summary>
    public int LastSteps { get; private set; }

    /// <summary>Reduces until the pages in use fit <paramref name="targetBytes"/> or nothing is left to give up.</summary>
    /// <returns>False when the target could not be reached.</returns>
    public bool Reduce(long targetBytes)
    {
        LastSteps = 0;
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
        }

        return Sql.UsedBytes(_connection) <= targetBytes;
    }

    private bool Step(long target)
    {
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
    private bool RawToMinutes(long keepMs)
    {
        var metrics = MetricIds();
        var (from, to) = Range(metrics, RecordingFormat.RawSpanMs);
        if (from > to)
        {
            return false;
        }

        long lowest = Sql.Floor(from, Minute) + Minute;
        long highest = Sql.Floor(to - keepMs, Minute);
        if (highest < lowest)
        {
            return false;
        }

        long cut = Math.Clamp(Sql.Floor(from + ((to - from) / 4), Minute), lowest, highest);
        Fold(metrics, RecordingFormat.RawSpanMs, Minute, cut);
        return true;
    }

    /// <summary>The oldest quarter of the minute range (at least an hour) into hour buckets; only whole hours before the raw range.</summary>
    private bool FoldMinutes()
    {
        var metrics = MetricIds();
        var (from, to) = Range(metrics, Minute);
        if (from > to)
        {
            return false;
        }

        long rawFrom = Range(metrics, RecordingFormat.RawSpanMs).From;
        long lowest = Sql.Floor(from, Hour) + Hour;
        long highest = rawFrom == long.MaxValue ? Sql.Floor(to, Hour) + Hour : Sql.Floor(rawFrom, Hour);
        if (highest < lowest)
        {
            return false;
        }

        long cut = Math.Clamp(Sql.Floor(from + ((to - from) / 4), Hour), lowest, highest);
        Fold(metrics, Minute, Hour, cut);
        return true;
    }

    /// <summary>Last resort: the oldest quarter of the hour range goes, with the events of that period.</summary>
    private bool DropOldestHours()
    {
        var metrics = MetricIds();
        var (from, to) = Range(metrics, Hour);
        if (from > to)
        {
            return false;
        }

        long cut = Math.Max(Sql.Floor(from + ((to - from) / 4), Hour), Sql.Floor(from, Hour) + Hour);
        var counts = _counts.Clone();
        InTransaction(() =>
        {
            using var delete = Command("DELETE FROM buckets WHERE metric = $metric AND span = $span AND t < $cut");
            var metric = delete.Parameters.Add("$metric", SqliteType.Integer);
            delete.Parameters.AddWithValue("$span", Hour);
            delete.Parameters.AddWithValue("$cut", cut);
            foreach (long m in metrics)
            {
                metric.Value = m;
                counts.HourRows -= delete.ExecuteNonQuery();
            }

            DeleteEvents(counts, "SELECT id FROM events WHERE t < $cut", cut);
        });
        _counts.CopyFrom(counts);
        return true;
    }

    /// <summary>The oldest quarter of the events (of the ephemeral ones only, or of all).</summary>
    private bool DropEvents(bool ephemeralOnly)
    {
        long count = ephemeralOnly ? _counts.EphemeralEvents : _counts.EphemeralEvents + _counts.OtherEvents;
        long n = Math.Max(1, count / 4);
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

    /// <summary>Turns every <paramref name="fromSpan"/> row older than <paramref name="cut"/> into <paramref name="toSpan"/> buckets.</summary>
    private void Fold(IReadOnlyList<long> metrics, long fromSpan, long toSpan, long cut)
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
            insert.Parameters.AddWithValue("$span", toSpan);
            insert.Parameters.AddWithValue("$cut", cut);
            var deleteMetric = delete.Parameters.Add("$metric", SqliteType.Integer);
            delete.Parameters.AddWithValue("$cut", cut);
            if (!raw)
            {
                insert.Parameters.AddWithValue("$from", fromSpan);
                delete.Parameters.AddWithValue("$from", fromSpan);
            }

            foreach (long m in metrics)
            {
                insertMetric.Value = m;
                deleteMetric.Value = m;
                counts.AddRows(toSpan, insert.ExecuteNonQuery());
                counts.AddRows(fromSpan, -delete.ExecuteNonQuery());
            }
        });
        _counts.CopyFrom(counts);
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

    /// <summary>Oldest and newest timestamp of one tier over every series; (MaxValue, MinValue) when it is empty. Each edge is one index lookup.</summary>
    private (long From, long To) Range(IReadOnlyList<long> metrics, long span)
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

        long from = long.MaxValue, to = long.MinValue;
        foreach (long m in metrics)
        {
            firstMetric.Value = m;
            lastMetric.Value = m;
            if (first.ExecuteScalar() is long f)
            {
                from = Math.Min(from, f);
                to = Math.Max(to, last.ExecuteScalar() is long l ? l : f);
            }
        }

        return (from, to);
    }

    private SqliteCommand Command(string sql)
    {
        var command = _connection.CreateCommand();
        command.CommandText = sql;
        return command;
    }
}
