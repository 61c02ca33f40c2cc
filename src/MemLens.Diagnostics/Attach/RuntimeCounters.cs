namespace MemLens.Diagnostics.Attach;

/// <summary>Where an attached process's periodic runtime figures (committed, generation sizes …) are read from.</summary>
public enum RuntimeCounters
{
    /// <summary>The <c>System.Runtime</c> meter on .NET 9 and later; EventCounters when the runtime is known to be older.</summary>
    Auto,

    /// <summary>The <c>System.Runtime</c> meter (.NET 9+), through MetricsEventSource.</summary>
    Meter,

    /// <summary>The <c>System.Runtime</c> EventCounters (every .NET since 3.0): fewer figures (committed and the generation sizes).</summary>
    EventCounters,
}
