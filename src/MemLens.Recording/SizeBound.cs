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

    private const string FoldSql = """
        INSERT INTO samples(metric, t, span, mean, min, max, count)
        SELECT metric, t - t % $to, $to,
               sum(mean * max(coalesce(count, 1), 1)) / sum(max(coalesce(count, 1), 1)),
               min(coalesce(min, mean)), max(coalesce(max, mean)), sum(coalesce(count, 1))
        FROM samples WHERE metric = $metric AND span = $from AND t < $cut
        GROUP BY t - t % $to
        ON CONFLICT(metric, t, span) DO UPDATE SET
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
        long from = long.MaxValue, to = long.MinValue;
        foreach (long m in metrics)
        {
            if (First(m, RecordingFormat.RawSpanMs, long.MaxValue) is { } first)
            {
                from = Math.Min(from, first);
                to = Math.Max(to, Last(m, RecordingFormat.RawSpanMs, long.MaxValue)!.Value);
            }
        }

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
        long from = long.MaxValue, to = long.MinValue, rawFrom = long.MaxValue;
        foreach (long m in metrics)
        {
            long? raw = First(m, RecordingFormat.RawSpanMs, long.MaxValue);
            if (raw is { } r)
            {
                rawFrom = Math.Min(rawFrom, r);
            }

            if (First(m, Minute, long.MaxValue) is { } first)
            {
                from = Math.Min(from, first);
                to = Math.Max(to, Last(m, Minute, raw ?? long.MaxValue) ?? first);
            }
        }

        if (from > to)
        {
            return false;
        }

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
        long from = long.MaxValue, to = long.MinValue;
        foreach (long m in metrics)
        {
            if (First(m, Hour, long.MaxValue) is { } first)
            {
                long below = First(m, Minute, long.MaxValue) ?? First(m, RecordingFormat.RawSpanMs, long.MaxValue) ?? long.MaxValue;
                from = Math.Min(from, first);
                to = Math.Max(to, Last(m, Hour, below) ?? first);
            }
        }

        if (from > to)
        {
            return false;
        }

        long cut = Math.Max(Sql.Floor(from + ((to - from) / 4), Hour), Sql.Floor(from, Hour) + Hour);
        var counts = _counts.Clone();
        InTransaction(() =>
        {
            using var delete = Command("DELETE FROM samples WHERE metric = $metric AND span = $span AND t < $cut");
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
        var counts = _counts.Clone();
        InTransaction(() =>
        {
            using var insert = Command(FoldSql);
            using var delete = Command("DELETE FROM samples WHERE metric = $metric AND span = $from AND t < $cut");
            var insertMetric = insert.Parameters.Add("$metric", SqliteType.Integer);
            insert.Parameters.AddWithValue("$from", fromSpan);
            insert.Parameters.AddWithValue("$to", toSpan);
            insert.Parameters.AddWithValue("$cut", cut);
            var deleteMetric = delete.Parameters.Add("$metric", SqliteType.Integer);
            delete.Parameters.AddWithValue("$from", fromSpan);
            delete.Parameters.AddWithValue("$cut", cut);
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

    /// <summary>
    /// The oldest row of one tier of one series before <paramref name="below"/>. Tiers follow each other in time
    /// (hours, then minutes, then raw samples), so the scan from the series' start passes only older tiers.
    /// </summary>
    private long? First(long metric, long span, long below) => Edge(metric, span, below, "ASC");

    /// <summary>The newest row of one tier before <paramref name="below"/> (the next tier's start keeps the backward scan short).</summary>
    private long? Last(long metric, long span, long below) => Edge(metric, span, below, "DESC");

    private long? Edge(long metric, long span, long below, string order)
    {
        using var command = Command($"SELECT t FROM samples WHERE metric = $metric AND span = $span AND t < $below ORDER BY t {order} LIMIT 1");
        command.Parameters.AddWithValue("$metric", metric);
        command.Parameters.AddWithValue("$span", span);
        command.Parameters.AddWithValue("$below", below);
        return command.ExecuteScalar() is long t ? t : null;
    }

    private SqliteCommand Command(string sql)
    {
        var command = _connection.CreateCommand();
        command.CommandText = sql;
        return command;
    }
}
