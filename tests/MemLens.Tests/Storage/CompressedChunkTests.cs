using FsCheck;
using FsCheck.Fluent;
using MemLens.Storage;
using Xunit;

namespace MemLens.Tests.Storage;

public class CompressedChunkTests
{
    /// <summary>Encodes points until the chunk is full, then decodes; returns how many fit.</summary>
    private static int RoundTrip(IReadOnlyList<(long T, double V)> points, int chunkBytes = 2048)
    {
        var encoder = new ChunkEncoder(chunkBytes);
        int n = 0;
        while (n < points.Count && encoder.TryAppend(points[n].T, points[n].V))
        {
            n++;
        }

        var chunk = encoder.ToChunk();
        Assert.Equal(n, chunk.Count);
        var it = chunk.GetIterator();
        for (int i = 0; i < n; i++)
        {
            Assert.True(it.MoveNext());
            Assert.Equal(points[i].T, it.Timestamp);
            // Bit-exact, so -0.0 and every mantissa bit survive.
            Assert.Equal(BitConverter.DoubleToInt64Bits(points[i].V), BitConverter.DoubleToInt64Bits(it.Value));
        }

        Assert.False(it.MoveNext());

        // The bulk decoder queries use must agree with the iterator.
        var ts = new long[n];
        var vs = new double[n];
        chunk.DecodeAll(ts, vs);
        for (int i = 0; i < n; i++)
        {
            Assert.Equal(points[i].T, ts[i]);
            Assert.Equal(BitConverter.DoubleToInt64Bits(points[i].V), BitConverter.DoubleToInt64Bits(vs[i]));
        }
        if (n > 0)
        {
            var values = points.Take(n).Select(p => p.V).ToList();
            Assert.Equal(values.Min(), chunk.Min);
            Assert.Equal(values.Max(), chunk.Max);
            Assert.Equal(points[0].T, chunk.FirstTimestamp);
            Assert.Equal(points[n - 1].T, chunk.LastTimestamp);
        }

        return n;
    }

    [Fact]
    public void Arbitrary_points_round_trip_bit_exactly()
    {
        var gap = Gen.OneOf(Gen.Constant(1000L), Gen.Choose(990, 1010).Select(x => (long)x), Gen.Choose(0, 100_000).Select(x => (long)x),
            Gen.Choose(0, int.MaxValue).Select(x => (long)x * 1000));
        var value = Gen.OneOf(
            Gen.Choose(0, 1 << 20).Select(p => p * 4096.0),
            Gen.Choose(int.MinValue, int.MaxValue).Select(x => (double)x),
            // Arbitrary bit patterns; the store rejects non-finite values before they reach a chunk.
            Gen.Choose(int.MinValue, int.MaxValue).Select(x => BitConverter.Int64BitsToDouble(((long)x << 32) ^ x * 2654435761L))
                .Select(d => double.IsFinite(d) ? d : 1.5),
            Gen.Elements(0.0, -0.0, double.Epsilon, double.MaxValue, double.MinValue, 1e-300));
        var points = from start in Gen.Choose(-1000, 1000)
                     from steps in Gen.ListOf(Gen.Zip(gap, value))
                     select Accumulate(start * 1_000_000_000L, steps);

        Prop.ForAll(points.ToArbitrary(), p => { RoundTrip(p); return true; })
            .Check(Config.QuickThrowOnFailure.WithMaxTest(300));
    }

    private static List<(long, double)> Accumulate(long start, IEnumerable<(long Gap, double V)> steps)
    {
        long t = start;
        var list = new List<(long, double)>();
        foreach (var (g, v) in steps)
        {
            t += g;
            list.Add((t, v));
        }

        return list;
    }

    [Fact]
    public void Extreme_timestamps_and_deltas_round_trip()
    {
        RoundTrip([(long.MinValue, 1), (long.MinValue + 1, 2), (0, 3), (long.MaxValue - 5, 4), (long.MaxValue, 5), (long.MaxValue, 6)]);
    }

    [Fact]
    public void A_full_chunk_refuses_points_and_keeps_what_fit()
    {
        var rng = new Random(1);
        var points = Enumerable.Range(0, 10_000).Select(i => ((long)i * 1000, rng.NextDouble() * 1e9)).ToList();
        int n = RoundTrip(points, 512);
        Assert.InRange(n, 10, 9_999);
    }

    [Fact]
    public void Realistic_memory_series_compress_to_a_few_bits_per_point()
    {
        var data = new RealisticData(seed: 7);
        var perSeries = RealisticData.Metrics.Select(_ => new List<(long, double)>()).ToArray();
        for (int s = 0; s < 3600; s++)
        {
            long t = data.Next();
            for (int i = 0; i < perSeries.Length; i++)
            {
                perSeries[i].Add((t, data.Values[i]));
            }
        }

        long bits = 0, points = 0;
        foreach (var series in perSeries)
        {
            var encoder = new ChunkEncoder(1 << 20);
            foreach (var (t, v) in series)
            {
                Assert.True(encoder.TryAppend(t, v));
            }

            bits += encoder.ToChunk().Words.Length * 64L;
            points += series.Count;
            RoundTrip(series, 1 << 20);
        }

        // Well under the 3.2 bytes per point that 8 MiB / (24 h × 30 series) allows.
        double bytesPerPoint = bits / 8.0 / points;
        Assert.InRange(bytesPerPoint, 0.1, 2.5);
    }
}
