namespace MemLens.AspNetCore;

/// <summary>What goes into a self-contained HTML report (<see cref="DashboardReport"/>); every bound keeps the file mailable.</summary>
public sealed class ReportOptions
{
    /// <summary>Most points per series, over the whole range (each keeps the bucket's min and max, so spikes stay visible). Default: 2,000.</summary>
    public int MaxPointsPerSeries { get; set; } = 2_000;

    /// <summary>
    /// Most events kept. When the range holds more, every event that is not a GC is kept first, then GCs from the
    /// highest generation down, newest first (the dashboard's own rule), and the page says how many were left out.
    /// Default: 5,000.
    /// </summary>
    public int MaxEvents { get; set; } = 5_000;

    /// <summary>The report's title. Default: the monitor's title (e.g. <c>shop (pid 4242)</c>).</summary>
    public string? Title { get; set; }

    internal void Validate()
    {
        if (MaxPointsPerSeries is < 10 or > 100_000)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxPointsPerSeries), MaxPointsPerSeries, "Between 10 and 100,000 points per series.");
        }

        if (MaxEvents is < 0 or > 1_000_000)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxEvents), MaxEvents, "Between 0 and 1,000,000 events.");
        }
    }
}
