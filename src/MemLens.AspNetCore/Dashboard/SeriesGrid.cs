using System.Text.Json;
using MemLens.Metrics;
using MemLens.Storage;

namespace MemLens.AspNetCore.Dashboard;

/// <summary>
/// Answers <c>api/series</c>: every requested series on one shared time grid, so the page gets a single x array
/// (smaller payload, and uPlot wants aligned data). Each cell keeps mean, min and max, so a spike that falls
/// inside a wide bucket still shows as the top of the band.
/// </summary>
internal static class SeriesGrid
{
    public const int MinPoints = 10;
    public const int MaxPoints = 5000;
    public const int DefaultPoints = 1000;

    /// <summary>
    /// Writes the grid of <paramref name="ids"/> over from–to in at most <paramref name="points"/> cells (the API caps
    /// them to <see cref="MaxPoints"/> in <see cref="QueryLimits"/>; a report may ask for more). Every array is sized by
    /// the cell count, never by the range: the range's width is computed without overflow for any from ≤ to.
    /// </summary>
    public static void Write(Utf8JsonWriter writer, MetricStore store, IReadOnlyList<string> ids, long fromMs, long toMs, int points, long intervalMs)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(fromMs, toMs);
        var (step, n) = Grid(fromMs, toMs, points, intervalMs);
        var cache = new Dictionary<int, Cells>();
        var columns = new List<(string Id, Column Column)>(ids.Count);
        var occupied = new bool[n];
        bool downsampled = false;

        Cells CellsOf(MetricDescriptor metric)
        {
            if (!cache.TryGetValue(metric.Id, out var cells))
            {
                var data = store.Query(metric, fromMs, LastOfGrid(fromMs, step, n), n);
                cells = Cells.From(data, fromMs, step, n);
                downsampled |= data.Downsampled || cells.Merged;
                cache[metric.Id] = cells;
            }

            return cells;
        }

        foreach (string id in ids)
        {
            if (!DerivedSeries.TryResolve(id, out var series))
            {
                continue;
            }

            Column column = series switch
            {
                { Kind: SeriesKind.Difference, Difference: { } d } => Column.Difference(CellsOf(d.Minuend), CellsOf(d.Subtrahend)),
                { Kind: SeriesKind.Rate, Metric: { } counter } => Column.Rate(CellsOf(counter)),
                { Metric: { } metric } => Column.Of(CellsOf(metric), metric.Unit == MetricUnit.Bytes || metric.Unit == MetricUnit.Count),
                _ => throw new InvalidOperationException("Unresolved series " + id),
            };
            columns.Add((id, column));
            for (int i = 0; i < n; i++)
            {
                occupied[i] |= !double.IsNaN(column.Value[i]);
            }
        }

        writer.WriteStartObject();
        writer.WriteNumber("from", fromMs);
        writer.WriteNumber("to", toMs);
        writer.WriteNumber("step", step);
        writer.WriteBoolean("downsampled", downsampled);
        writer.WriteStartArray("t");
        for (int i = 0; i < n; i++)
        {
            if (occupied[i])
            {
                writer.WriteNumberValue(fromMs + ((long)i * step));
            }
        }

        writer.WriteEndArray();
        writer.WriteStartObject("series");
        foreach (var (id, column) in columns)
        {
            writer.WriteStartObject(id);
            WriteArray(writer, "v", column.Value, occupied, column.Integer);
            if (column.Min is not null && column.Max is not null && column.HasSpread)
            {
                WriteArray(writer, "min", column.Min, occupied, column.Integer);
                WriteArray(writer, "max", column.Max, occupied, column.Integer);
            }

            writer.WriteEndObject();
        }

        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    /// <summary>
    /// The cell width and count for from–to: step = max(ceil(width / points), interval), n = ceil(width / step) ≤ points.
    /// Computed in 128 bits, so the widest range of longs cannot overflow into a huge or negative count.
    /// </summary>
    internal static (long Step, int Count) Grid(long fromMs, long toMs, int points, long intervalMs)
    {
        int p = Math.Max(points, 1);
        var width = (UInt128)(ulong)(toMs - fromMs) + 1; // to ≥ from: the difference fits in a ulong
        var step = UInt128.Max((width + (UInt128)(uint)p - 1) / (uint)p, (UInt128)(ulong)Math.Max(1, intervalMs));
        int n = (int)((width + step - 1) / step);
        return ((long)UInt128.Min(step, long.MaxValue), n);
    }

    /// <summary>The last millisecond the grid's cells cover, saturated at <see cref="long.MaxValue"/>.</summary>
    private static long LastOfGrid(long fromMs, long step, int n)
    {
        var last = (Int128)fromMs + ((Int128)n * step) - 1;
        return (long)Int128.Min(last, long.MaxValue);
    }

    private static void WriteArray(Utf8JsonWriter writer, string name, double[] values, bool[] occupied, bool integer)
    {
        writer.WriteStartArray(name);
        for (int i = 0; i < values.Length; i++)
        {
            if (!occupied[i])
            {
                continue;
            }

            double v = values[i];
            if (double.IsNaN(v))
            {
                writer.WriteNullValue();
            }
            else
            {
                writer.WriteNumberValue(integer ? Math.Round(v) : RoundSignificant(v, 6));
            }
        }

        writer.WriteEndArray();
    }

    /// <summary>Rounds to <paramref name="digits"/> significant digits: more would be noise, and costs bytes.</summary>
    internal static double RoundSignificant(double value, int digits)
    {
        if (value == 0 || !double.IsFinite(value))
        {
            return value;
        }

        int magnitude = (int)Math.Floor(Math.Log10(Math.Abs(value)));
        int decimals = digits - 1 - magnitude;
        if (decimals <= 0)
        {
            double scale = Math.Pow(10, -decimals);
            return Math.Round(value / scale) * scale;
        }

        return Math.Round(value, Math.Min(decimals, 15));
    }

    /// <summary>A series' values bucketed into the grid's cells (NaN = no value).</summary>
    private sealed class Cells
    {
        public required double[] Mean { get; init; }

        public required double[] Min { get; init; }

        public required double[] Max { get; init; }

        /// <summary>Latest timestamp that fell in each cell; used for rates.</summary>
        public required long[] LastTs { get; init; }

        /// <summary>True when some cell received more than one point.</summary>
        public bool Merged { get; private set; }

        public static Cells From(SeriesData data, long fromMs, long step, int n)
        {
            var cells = new Cells
            {
                Mean = Filled(n),
                Min = Filled(n),
                Max = Filled(n),
                LastTs = new long[n],
            };
            var counts = new int[n];
            for (int i = 0; i < data.Count; i++)
            {
                long t = data.Timestamps[i];
                int cell = (int)Math.Clamp((t - fromMs) / step, 0, n - 1);
                int c = counts[cell]++;
                if (c == 0)
                {
                    cells.Mean[cell] = data.Mean[i];
                    cells.Min[cell] = data.Min[i];
                    cells.Max[cell] = data.Max[i];
                }
                else
                {
                    cells.Merged = true;
                    cells.Mean[cell] += (data.Mean[i] - cells.Mean[cell]) / (c + 1);
                    cells.Min[cell] = Math.Min(cells.Min[cell], data.Min[i]);
                    cells.Max[cell] = Math.Max(cells.Max[cell], data.Max[i]);
                }

                cells.LastTs[cell] = Math.Max(cells.LastTs[cell], t);
            }

            return cells;
        }

        private static double[] Filled(int n)
        {
            var a = new double[n];
            Array.Fill(a, double.NaN);
            return a;
        }
    }

    private sealed class Column
    {
        public required double[] Value { get; init; }

        public double[]? Min { get; init; }

        public double[]? Max { get; init; }

        public bool Integer { get; init; }

        public bool HasSpread
        {
            get
            {
                for (int i = 0; i < Value.Length; i++)
                {
                    if (!double.IsNaN(Value[i]) && (Min![i] != Value[i] || Max![i] != Value[i]))
                    {
                        return true;
                    }
                }

                return false;
            }
        }

        public static Column Of(Cells cells, bool integer) => new()
        {
            Value = cells.Mean,
            Min = cells.Min,
            Max = cells.Max,
            Integer = integer,
        };

        public static Column Difference(Cells a, Cells b)
        {
            var v = new double[a.Mean.Length];
            for (int i = 0; i < v.Length; i++)
            {
                v[i] = a.Mean[i] - b.Mean[i];
            }

            return new Column { Value = v, Integer = true };
        }

        /// <summary>
        /// Per-second rate of a counter between consecutive non-empty cells, from each cell's largest value
        /// (the newest, for a counter) and its newest timestamp. A drop (counter reset) gives no value.
        /// </summary>
        public static Column Rate(Cells counter)
        {
            var v = new double[counter.Max.Length];
            Array.Fill(v, double.NaN);
            int previous = -1;
            for (int i = 0; i < v.Length; i++)
            {
                if (double.IsNaN(counter.Max[i]))
                {
                    continue;
                }

                if (previous >= 0)
                {
                    double dv = counter.Max[i] - counter.Max[previous];
                    long dt = counter.LastTs[i] - counter.LastTs[previous];
                    if (dv >= 0 && dt > 0)
                    {
                        v[i] = dv * 1000.0 / dt;
                    }
                }

                previous = i;
            }

            return new Column { Value = v };
        }
    }
}
