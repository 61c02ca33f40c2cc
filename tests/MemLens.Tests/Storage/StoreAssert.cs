using MemLens.Storage;
using Xunit;

namespace MemLens.Tests.Storage;

internal static class StoreAssert
{
    /// <summary>The store's answer equals the reference: same points, exact min/max, means within rounding.</summary>
    public static void SameAs((long T, double Min, double Max, double Mean, long Count)[] expected, SeriesData actual, bool downsampled)
    {
        Assert.Equal(expected.Length, actual.Count);
        Assert.Equal(downsampled, actual.Downsampled);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i].T, actual.Timestamps[i]);
            Assert.Equal(expected[i].Min, actual.Min[i]);
            Assert.Equal(expected[i].Max, actual.Max[i]);
            double tolerance = 1e-9 * Math.Max(1, Math.Abs(expected[i].Mean));
            Assert.InRange(actual.Mean[i], expected[i].Mean - tolerance, expected[i].Mean + tolerance);
        }
    }
}
