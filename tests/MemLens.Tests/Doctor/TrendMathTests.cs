using MemLens.Doctor;
using Xunit;

namespace MemLens.Tests.Doctor;

public class TrendMathTests
{
    private const long T0 = 1_700_000_000_000;

    private static (long[] T, double[] V) Series(int n, Func<int, double> value, int stepMs = 1000) =>
        (Enumerable.Range(0, n).Select(i => T0 + ((long)i * stepMs)).ToArray(), Enumerable.Range(0, n).Select(value).ToArray());

    [Fact]
    public void A_straight_line_is_fitted_exactly_and_perfectly_ordered()
    {
        var (t, v) = Series(50, i => 100 + (2.5 * i));

        var trend = TrendMath.Fit(t, v)!.Value;

        Assert.Equal(2.5, trend.Slope, 9);
        Assert.Equal(100, trend.Intercept, 9);
        Assert.Equal(1, trend.Tau, 9);
        Assert.Equal(1, trend.RisingShare, 9);
        Assert.Equal(49, trend.Seconds, 9);
        Assert.Equal(2.5 * 49, trend.Rise, 9);
        Assert.Equal(100 + (2.5 * 49), trend.End, 9);
        Assert.Equal((100, 100 + (2.5 * 49)), (trend.FirstValue, trend.LastValue));
        Assert.Equal(50, trend.Points);
    }

    [Fact]
    public void One_huge_outlier_does_not_tilt_the_slope()
    {
        var (t, v) = Series(40, i => i == 35 ? 1e9 : 10 + i);

        var trend = TrendMath.Fit(t, v)!.Value;

        Assert.Equal(1, trend.Slope, 6);
        Assert.True(trend.Tau > 0.9);
    }

    [Fact]
    public void Noise_around_a_flat_level_has_no_trend()
    {
        var random = new Random(42);
        var (t, v) = Series(200, _ => 50e6 + (random.NextDouble() * 8e6));

        var trend = TrendMath.Fit(t, v)!.Value;

        Assert.True(Math.Abs(trend.Tau) < 0.15, $"tau {trend.Tau}");
        Assert.True(Math.Abs(trend.Rise) < 2e6, $"rise {trend.Rise}");
    }

    [Fact]
    public void A_falling_series_has_a_negative_slope_and_tau()
    {
        var (t, v) = Series(20, i => 1000 - (i * i));

        var trend = TrendMath.Fit(t, v)!.Value;

        Assert.True(trend.Slope < 0);
        Assert.Equal(-1, trend.Tau, 9);
        Assert.Equal(0, trend.RisingShare, 9);
    }

    [Fact]
    public void Ties_count_as_neither_rising_nor_falling()
    {
        var (t, v) = Series(4, i => i < 2 ? 1 : 2); // pairs: 1 tie low, 4 rising, 1 tie high

        var trend = TrendMath.Fit(t, v)!.Value;

        Assert.Equal(4 / 6.0, trend.Tau, 9);
        Assert.Equal(4 / 6.0, trend.RisingShare, 9);
    }

    [Fact]
    public void Too_few_points_or_one_instant_give_no_trend()
    {
        Assert.Null(TrendMath.Fit([T0, T0 + 1000], [1.0, 2.0]));
        Assert.Null(TrendMath.Fit([T0, T0, T0], [1.0, 2.0, 3.0]));
        Assert.Null(TrendMath.Fit([T0, T0 + 1, T0 + 2], [double.NaN, 1.0, double.PositiveInfinity]));
        Assert.Throws<ArgumentException>(() => TrendMath.Fit([T0], [1.0, 2.0]));
    }

    [Fact]
    public void Unsorted_points_are_sorted_by_time()
    {
        var trend = TrendMath.Fit([T0 + 2000, T0, T0 + 1000], [3.0, 1.0, 2.0])!.Value;

        Assert.Equal(1, trend.Slope, 9);
        Assert.Equal(T0, trend.FromMs);
        Assert.Equal(T0 + 2000, trend.ToMs);
    }

    [Fact]
    public void Long_series_are_thinned_but_keep_their_slope_and_ends()
    {
        var (t, v) = Series(5000, i => 3.0 * i, stepMs: 100);

        var trend = TrendMath.Fit(t, v)!.Value;

        Assert.Equal(TrendMath.MaxFitPoints, trend.Points);
        Assert.Equal(30, trend.Slope, 6); // 3 per 100 ms
        Assert.Equal(t[^1], trend.ToMs);
    }

    [Fact]
    public void Troughs_are_the_lowest_point_of_each_slice_at_its_own_time()
    {
        // A saw-tooth: climbs 10 per second for 10 s, drops back to a floor that rises by 1 each cycle.
        var (t, v) = Series(100, i => (i / 10) + (10 * (i % 10)));

        var (times, values) = TrendMath.Troughs(t, v, T0, T0 + 99_000, 10);

        Assert.Equal(Enumerable.Range(0, 10).Select(c => (double)c), values);
        Assert.Equal(Enumerable.Range(0, 10).Select(c => T0 + (c * 10_000L)), times);
        Assert.Equal(1, TrendMath.Fit(times, values)!.Value.Slope * 10, 9); // +1 per 10 s cycle
    }

    [Fact]
    public void Troughs_skip_empty_slices_and_points_outside_the_range()
    {
        long[] t = [T0 - 5000, T0, T0 + 1000, T0 + 9000, T0 + 20_000];
        double[] v = [0, 5, 4, 7, 0];

        var (times, values) = TrendMath.Troughs(t, v, T0, T0 + 9999, 10);

        Assert.Equal([T0, T0 + 1000, T0 + 9000], times);
        Assert.Equal([5.0, 4, 7], values);
        Assert.Empty(TrendMath.Troughs(t, v, T0, T0 - 1, 10).Times);
    }

    [Theory]
    [InlineData(new double[] { 3, 1, 2 }, 0.5, 2)]
    [InlineData(new double[] { 4, 1, 2, 3 }, 0.5, 2.5)]
    [InlineData(new double[] { 0, 10 }, 0.9, 9)]
    [InlineData(new double[] { 7 }, 0.1, 7)]
    public void Quantiles_interpolate_between_ranks(double[] values, double q, double expected)
    {
        Assert.Equal(expected, TrendMath.Quantile(values, q), 9);
    }

    [Fact]
    public void The_median_of_nothing_is_NaN_and_the_input_is_left_alone()
    {
        Assert.True(double.IsNaN(TrendMath.Median([])));
        double[] values = [3, 1, 2];
        Assert.Equal(2, TrendMath.Median(values));
        Assert.Equal([3.0, 1, 2], values);
    }
}
