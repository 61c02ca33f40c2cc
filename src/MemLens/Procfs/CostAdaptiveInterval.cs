namespace MemLens.Procfs;

/// <summary>
/// Chooses how often to run a reading whose cost varies, so that it stays within a share of one core:
/// interval = max(base, cost ÷ budget), capped. smaps_rollup walks every mapping of the target, so its
/// cost grows with resident memory (about 12.7 ms for 512 MiB): at a 0.1 % budget that is one read
/// every 12.7 s instead of every second.
/// </summary>
/// <remarks>
/// The cost estimate rises at once when a read is slower than the estimate (so the budget is not
/// overrun for several rounds after the process grows) and falls slowly (a quarter of the way per
/// read), so one lucky fast read does not bring back a high rate.
/// </remarks>
public sealed class CostAdaptiveInterval
{
    private const double FallWeight = 0.25;
    private double _smoothedSeconds = -1;

    /// <summary>Creates the scheduler.</summary>
    /// <param name="baseInterval">The shortest interval, used while reads are cheap. Must be positive.</param>
    /// <param name="maxInterval">The longest interval, however costly reads are. At least <paramref name="baseInterval"/>.</param>
    /// <param name="budgetFraction">Share of one core the reads may use, e.g. 0.001 for 0.1 %. Between 0 and 1.</param>
    public CostAdaptiveInterval(TimeSpan baseInterval, TimeSpan maxInterval, double budgetFraction = 0.001)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(baseInterval, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxInterval, baseInterval);
        if (!(budgetFraction > 0 && budgetFraction <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(budgetFraction), budgetFraction, "The budget must be a fraction in (0, 1].");
        }

        BaseInterval = baseInterval;
        MaxInterval = maxInterval;
        BudgetFraction = budgetFraction;
        Interval = baseInterval;
    }

    public TimeSpan BaseInterval { get; }

    public TimeSpan MaxInterval { get; }

    public double BudgetFraction { get; }

    /// <summary>Cost of the last read; zero before the first.</summary>
    public TimeSpan LastCost { get; private set; }

    /// <summary>The cost estimate the interval is derived from; zero before the first read.</summary>
    public TimeSpan SmoothedCost => _smoothedSeconds < 0 ? TimeSpan.Zero : TimeSpan.FromSeconds(_smoothedSeconds);

    /// <summary>The interval to wait before the next read.</summary>
    public TimeSpan Interval { get; private set; }

    /// <summary>Records the cost of one read and recomputes <see cref="Interval"/>.</summary>
    public void Record(TimeSpan cost)
    {
        double seconds = Math.Max(cost.TotalSeconds, 0);
        LastCost = TimeSpan.FromSeconds(seconds);
        _smoothedSeconds = _smoothedSeconds < 0 || seconds > _smoothedSeconds
            ? seconds
            : _smoothedSeconds + (FallWeight * (seconds - _smoothedSeconds));

        double wanted = _smoothedSeconds / BudgetFraction;
        Interval = wanted <= BaseInterval.TotalSeconds ? BaseInterval
            : wanted >= MaxInterval.TotalSeconds ? MaxInterval
            : TimeSpan.FromSeconds(wanted);
    }
}
