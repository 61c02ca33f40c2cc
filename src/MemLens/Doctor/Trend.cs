namespace MemLens.Doctor;

/// <summary>
/// A robust straight-line fit of values over time: the Theil–Sen slope (the median of the slopes between every
/// pair of points), so one noisy point or one spike cannot tilt it, and Kendall's tau, which says how consistently
/// the values move in that direction (1: every later point is higher than every earlier one; 0: no order at all).
/// </summary>
/// <param name="Slope">Median pairwise slope, in value units per second.</param>
/// <param name="Intercept">Median of value − slope × (t − first t), so the line is <c>Intercept + Slope × seconds since the first point</c>.</param>
/// <param name="Tau">Kendall's tau in [−1, 1]: (rising pairs − falling pairs) ÷ all pairs.</param>
/// <param name="RisingShare">Rising pairs ÷ all pairs (pairs with equal values count as neither).</param>
/// <param name="Points">Points fitted.</param>
/// <param name="FirstValue">The value of the first point (as observed, not fitted).</param>
/// <param name="LastValue">The value of the last point (as observed, not fitted).</param>
/// <param name="FromMs">Time of the first point (Unix ms).</param>
/// <param name="ToMs">Time of the last point (Unix ms).</param>
public readonly record struct Trend(double Slope, double Intercept, double Tau, double RisingShare, int Points, double FirstValue, double LastValue, long FromMs, long ToMs)
{
    /// <summary>Seconds between the first and the last point.</summary>
    public double Seconds => (ToMs - FromMs) / 1000.0;

    /// <summary>The fitted rise over the points' span (slope × span), in value units.</summary>
    public double Rise => Slope * Seconds;

    /// <summary>The fitted line's value at the first point.</summary>
    public double Start => Intercept;

    /// <summary>The fitted line's value at the last point.</summary>
    public double End => Intercept + Rise;
}

/// <summary>The trend maths the doctor uses: Theil–Sen, Kendall's tau, troughs, medians. Pure functions.</summary>
public static class TrendMath
{
    /// <summary>
    /// Most points fitted at once. Theil–Sen looks at every pair (n² / 2): 600 points are 180,000 pairs, a few
    /// milliseconds; longer series are thinned evenly first (<see cref="Thin"/>), which keeps their shape.
    /// </summary>
    public const int MaxFitPoints = 600;

    /// <summary>
    /// Fits values over time. Returns null with fewer than 3 points or when all points share one time. Points need
    /// not be sorted; non-finite values are skipped.
    /// </summary>
    public static Trend? Fit(IReadOnlyList<long> timesMs, IReadOnlyList<double> values)
    {
        ArgumentNullException.ThrowIfNull(timesMs);
        ArgumentNullException.ThrowIfNull(values);
        if (timesMs.Count != values.Count)
        {
            throw new ArgumentException("One time per value.", nameof(values));
        }

        var points = new List<(long T, double V)>(timesMs.Count);
        for (int i = 0; i < timesMs.Count; i++)
        {
            if (double.IsFinite(values[i]))
            {
                points.Add((timesMs[i], values[i]));
            }
        }

        points.Sort(static (a, b) => a.T.CompareTo(b.T));
        points = Thin(points, MaxFitPoints);
        int n = points.Count;
        if (n < 3 || points[n - 1].T == points[0].T)
        {
            return null;
        }

        long t0 = points[0].T;
        var slopes = new List<double>(n * (n - 1) / 2);
        long concordant = 0, discordant = 0;
        for (int i = 0; i < n; i++)
        {
            for (int j = i + 1; j < n; j++)
            {
                double dv = points[j].V - points[i].V;
                long dt = points[j].T - points[i].T;
                if (dt > 0)
                {
                    slopes.Add(dv / (dt / 1000.0));
                }

                // Kendall's tau-a over time order: a pair counts when both time and value differ.
                if (dt == 0 || dv == 0)
                {
                    continue;
                }

                if (dv > 0)
                {
                    concordant++;
                }
                else
                {
                    discordant++;
                }
            }
        }

        if (slopes.Count == 0)
        {
            return null;
        }

        double slope = Median(slopes);
        var residuals = new double[n];
        for (int i = 0; i < n; i++)
        {
            residuals[i] = points[i].V - (slope * ((points[i].T - t0) / 1000.0));
        }

        double intercept = Median(residuals);
        double pairs = n * (n - 1) / 2.0;
        return new Trend(slope, intercept, (concordant - discordant) / pairs, concordant / pairs, n, points[0].V, points[n - 1].V, t0, points[n - 1].T);
    }

    /// <summary>
    /// The lowest value in each of <paramref name="buckets"/> equal slices of [fromMs, toMs] that hold a point, stamped
    /// with the time of that lowest point: the troughs of a saw-tooth (a heap between GCs), which follow what survives.
    /// </summary>
    public static (long[] Times, double[] Values) Troughs(IReadOnlyList<long> timesMs, IReadOnlyList<double> values, long fromMs, long toMs, int buckets)
    {
        ArgumentNullException.ThrowIfNull(timesMs);
        ArgumentNullException.ThrowIfNull(values);
        ArgumentOutOfRangeException.ThrowIfLessThan(buckets, 1);
        if (toMs < fromMs)
        {
            return ([], []);
        }

        double width = Math.Max(1.0, (toMs - fromMs + 1) / (double)buckets);
        var minIndex = new int[buckets];
        Array.Fill(minIndex, -1);
        for (int i = 0; i < timesMs.Count; i++)
        {
            long t = timesMs[i];
            if (t < fromMs || t > toMs || !double.IsFinite(values[i]))
            {
                continue;
            }

            int b = Math.Min(buckets - 1, (int)((t - fromMs) / width));
            if (minIndex[b] < 0 || values[i] < values[minIndex[b]])
            {
                minIndex[b] = i;
            }
        }

        var ts = new List<long>(buckets);
        var vs = new List<double>(buckets);
        foreach (int i in minIndex)
        {
            if (i >= 0)
            {
                ts.Add(timesMs[i]);
                vs.Add(values[i]);
            }
        }

        return (ts.ToArray(), vs.ToArray());
    }

    /// <summary>The median (mean of the two middle values for an even count); NaN when empty. Does not change its input.</summary>
    public static double Median(IReadOnlyList<double> values) => Quantile(values, 0.5);

    /// <summary>
    /// The <paramref name="q"/>-quantile (0 to 1) with linear interpolation between the two nearest ranks; NaN when
    /// empty. Does not change its input.
    /// </summary>
    public static double Quantile(IReadOnlyList<double> values, double q)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count == 0)
        {
            return double.NaN;
        }

        var sorted = values.ToArray();
        Array.Sort(sorted);
        double rank = Math.Clamp(q, 0, 1) * (sorted.Length - 1);
        int lo = (int)Math.Floor(rank);
        int hi = Math.Min(sorted.Length - 1, lo + 1);
        return sorted[lo] + ((sorted[hi] - sorted[lo]) * (rank - lo));
    }

    /// <summary>At most <paramref name="max"/> points, picked evenly by index, always keeping the first and the last.</summary>
    internal static List<T> Thin<T>(List<T> points, int max)
    {
        if (points.Count <= max || max < 2)
        {
            return points;
        }

        var result = new List<T>(max);
        double step = (points.Count - 1) / (double)(max - 1);
        for (int i = 0; i < max; i++)
        {
            result.Add(points[(int)Math.Round(i * step)]);
        }

        return result;
    }
}
