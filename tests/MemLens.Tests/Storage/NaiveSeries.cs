using System.Numerics;

namespace MemLens.Tests.Storage;

/// <summary>
/// The reference the store is checked against: every point in a plain list, queried by brute force with
/// the documented semantics (bucket width ⌈(to − from + 1) / maxPoints⌉, stamped at bucket start, empty
/// buckets omitted; raw points when they fit). Written independently of the store's code.
/// </summary>
internal sealed class NaiveSeries
{
    public List<(long T, double V)> Points { get; } = [];

    public void Add(long t, double v)
    {
        if (!double.IsFinite(v) || (Points.Count > 0 && t < Points[^1].T))
        {
            return;
        }

        Points.Add((t, v));
    }

    public (long T, double Min, double Max, double Mean, long Count)[] Query(long from, long to, int maxPoints, bool forceBuckets = false)
    {
        var inRange = Points.Where(p => p.T >= from && p.T <= to).ToList();
        if (!forceBuckets && inRange.Count <= maxPoints)
        {
            return inRange.Select(p => (p.T, p.V, p.V, p.V, 1L)).ToArray();
        }

        BigInteger span = (BigInteger)to - from + 1;
        BigInteger width = (span + maxPoints - 1) / maxPoints;
        return inRange
            .GroupBy(p => (long)(((BigInteger)p.T - from) / width))
            .OrderBy(g => g.Key)
            .Select(g => ((long)(from + (g.Key * width)), g.Min(p => p.V), g.Max(p => p.V), g.Average(p => p.V), (long)g.Count()))
            .ToArray();
    }
}
