using System.Globalization;
using System.Text.Json;

namespace MemLens.Recording;

/// <summary>
/// Writes a recording, or a part of it, as CSV or JSON for other tools (spreadsheets, pandas, jq). Both stream row by
/// row: memory stays flat whatever the recording's size.
/// </summary>
public static class RecordingExport
{
    /// <summary>The CSV header line.</summary>
    public const string CsvHeader = "time,timestamp_ms,metric,unit,value,min,max,count,span_ms";

    /// <summary>Bytes the JSON writer may hold before it is flushed to the stream.</summary>
    private const int JsonFlushBytes = 64 * 1024;

    /// <summary>
    /// One row per point, series after series (sorted by name), each in time order: ISO-8601 UTC time, Unix ms, metric,
    /// unit, value (the mean of a bucket), min, max, count and span in ms (0 for a raw sample), in the invariant culture
    /// with the shortest text that reads back to the same double.
    /// </summary>
    /// <param name="reader">The recording.</param>
    /// <param name="output">Where to write; left open.</param>
    /// <param name="fromMs">Start of the range, Unix ms (inclusive); long.MinValue for the beginning.</param>
    /// <param name="toMs">End of the range, Unix ms (inclusive); long.MaxValue for the end.</param>
    /// <param name="metrics">Names of the series to write; null for all. Unknown names are ignored (validate with <see cref="RecordingReader.MetricNames"/>).</param>
    /// <exception cref="RecordingException">The recording is damaged.</exception>
    public static void WriteCsv(RecordingReader reader, TextWriter output, long fromMs, long toMs, IReadOnlyCollection<string>? metrics)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(output);
        output.Write(CsvHeader);
        output.Write('\n');
        foreach (var series in Selected(reader, metrics))
        {
            // The metric and unit are the same on every row of a series: written into the row once. The numbers take at
            // most 24 + 20 + 3 × 25 + 2 × 20 characters.
            string middle = "," + Csv(series.Metric) + "," + Csv(series.Unit) + ",";
            var row = new char[200 + middle.Length];
            foreach (var p in reader.ReadSeries(series.Metric, fromMs, toMs))
            {
                if (!TryFormatRow(row, p, middle, out int length))
                {
                    throw new InvalidOperationException("a CSV row did not fit its buffer"); // cannot happen, see above
                }

                output.Write(row, 0, length);
            }
        }
    }

    /// <summary>
    /// <c>{"facts":{…},"from":ms,"to":ms,"series":[{"metric","unit","points":[[t,mean,min,max,count,span]…]}],"events":[{"t":ISO,"type",…fields}]}</c>.
    /// <c>from</c> and <c>to</c> are the range asked for, narrowed to the recording's own (null when it is empty);
    /// points are series after series in time order with t in Unix ms; each event is the JSON of the original event.
    /// </summary>
    /// <param name="reader">The recording.</param>
    /// <param name="output">Where to write; left open.</param>
    /// <param name="fromMs">Start of the range, Unix ms (inclusive); long.MinValue for the beginning.</param>
    /// <param name="toMs">End of the range, Unix ms (inclusive); long.MaxValue for the end.</param>
    /// <param name="metrics">Names of the series to write; null for all. Events are written whatever the filter.</param>
    /// <exception cref="RecordingException">The recording is damaged.</exception>
    public static void WriteJson(RecordingReader reader, Stream output, long fromMs, long toMs, IReadOnlyCollection<string>? metrics)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(output);
        using var w = new Utf8JsonWriter(output);
        w.WriteStartObject();
        w.WriteStartObject("facts");
        foreach (var (key, value) in reader.Facts.OrderBy(f => f.Key, StringComparer.Ordinal))
        {
            w.WriteString(key, value);
        }

        w.WriteEndObject();
        long? first = reader.FirstMs, last = reader.LastMs;
        if (first is { } f && last is { } l && fromMs <= l && toMs >= f)
        {
            w.WriteNumber("from", Math.Max(fromMs, f));
            w.WriteNumber("to", Math.Min(toMs, l));
        }
        else
        {
            w.WriteNull("from");
            w.WriteNull("to");
        }

        w.WriteStartArray("series");
        foreach (var series in Selected(reader, metrics))
        {
            w.WriteStartObject();
            w.WriteString("metric", series.Metric);
            w.WriteString("unit", series.Unit);
            w.WriteStartArray("points");
            foreach (var p in reader.ReadSeries(series.Metric, fromMs, toMs))
            {
                w.WriteStartArray();
                w.WriteNumberValue(p.TimestampMs);
                w.WriteNumberValue(p.Mean);
                w.WriteNumberValue(p.Min);
                w.WriteNumberValue(p.Max);
                w.WriteNumberValue(p.Count);
                w.WriteNumberValue(p.SpanMs);
                w.WriteEndArray();
                FlushIfFull(w);
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteStartArray("events");
        foreach (var memEvent in reader.ReadEvents(fromMs, toMs))
        {
            memEvent.WriteJson(w);
            FlushIfFull(w);
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    /// <summary>One CSV row without allocating: ISO-8601 time, Unix ms, metric and unit, then the figures.</summary>
    private static bool TryFormatRow(Span<char> row, RecordedPoint p, string middle, out int length)
    {
        var inv = CultureInfo.InvariantCulture;
        length = 0;
        var time = DateTimeOffset.FromUnixTimeMilliseconds(p.TimestampMs).UtcDateTime;
        if (!time.TryFormat(row, out int n, "yyyy-MM-ddTHH:mm:ss.fffZ", inv))
        {
            return false;
        }

        length += n;
        row[length++] = ',';
        if (!p.TimestampMs.TryFormat(row[length..], out n, default, inv) || length + n + middle.Length > row.Length)
        {
            return false;
        }

        length += n;
        middle.AsSpan().CopyTo(row[length..]);
        length += middle.Length;
        return Append(row, ref length, p.Mean, ',') && Append(row, ref length, p.Min, ',') && Append(row, ref length, p.Max, ',')
            && Append(row, ref length, p.Count, ',') && Append(row, ref length, p.SpanMs, '\n');
    }

    private static bool Append(Span<char> row, ref int length, double value, char after)
    {
        if (!value.TryFormat(row[length..], out int n, "R", CultureInfo.InvariantCulture) || length + n >= row.Length)
        {
            return false;
        }

        length += n;
        row[length++] = after;
        return true;
    }

    private static bool Append(Span<char> row, ref int length, long value, char after)
    {
        if (!value.TryFormat(row[length..], out int n, default, CultureInfo.InvariantCulture) || length + n >= row.Length)
        {
            return false;
        }

        length += n;
        row[length++] = after;
        return true;
    }

    private static IEnumerable<RecordedSeries> Selected(RecordingReader reader, IReadOnlyCollection<string>? metrics)
    {
        if (metrics is null)
        {
            return reader.Series;
        }

        var wanted = new HashSet<string>(metrics, StringComparer.Ordinal);
        return reader.Series.Where(s => wanted.Contains(s.Metric));
    }

    private static void FlushIfFull(Utf8JsonWriter writer)
    {
        if (writer.BytesPending > JsonFlushBytes)
        {
            writer.Flush();
        }
    }

    /// <summary>A CSV field: quoted when it holds a comma, a quote or a line break (metric names never do).</summary>
    private static string Csv(string field) =>
        field.AsSpan().IndexOfAny(",\"\n\r") < 0 ? field : "\"" + field.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
