namespace MemLens.Doctor;

/// <summary>
/// Every threshold the doctor uses, each with why it is what it is; docs/doctor.md states the rules in words with the
/// same figures. The values were calibrated on real runs of the demo scenarios and of a Go program (see
/// tests/MemLens.Tests/Doctor/Fixtures/README.md), and err towards silence: a finding the doctor is not sure of is
/// worse than none.
/// </summary>
public static class DoctorRules
{
    private const long MiB = 1L << 20;

    // ---- how long to observe ----

    /// <summary>
    /// Shortest span of memory figures for judging a trend (leak, native growth, retention) or saying "healthy". A
    /// .NET process warms up for 10–20 s (the demo's RSS rose 34 → 67 MiB in its first 13 s with a flat heap), and a
    /// trend needs several GC cycles after that. In the calibration runs the last verdict to come right was the
    /// fragmentation demo's, at 75 s (it fills its heap in 48 s, which looks like a leak until it has stayed flat),
    /// and the spike demo's at 55–65 s (its first full GC after a drop).
    /// </summary>
    public const double MinTrendSeconds = 80;

    /// <summary>
    /// Shortest span for a state finding (LazyFree, fragmentation, arenas, container pressure): a state must hold for
    /// a while to be more than one reading, but needs no trend.
    /// </summary>
    public const double MinStateSeconds = 20;

    /// <summary>
    /// A trend observed for at least this many times <see cref="MinTrendSeconds"/> (160 s) can be rated high
    /// confidence: it has outlasted start-up and, in the spike demo, two load cycles.
    /// </summary>
    public const double LongWindowFactor = 2;

    /// <summary>
    /// The "recent" part of the range, where states are judged: its last third, and at least this many seconds. A
    /// state that held once long ago but not now is not what the user is asking about.
    /// </summary>
    public const double RecentMinSeconds = 30;

    /// <summary>Most points read per series (the store downsamples to min/mean/max buckets beyond it): a day at 1 Hz becomes 43 s buckets.</summary>
    public const int MaxPointsPerSeries = 2000;

    /// <summary>
    /// Slices a range is cut into for a trend (troughs or means per slice). 30 slices of a 3-minute window are 6 s
    /// each, several samples and usually a GC per slice; more slices only add noise to Kendall's tau.
    /// </summary>
    public const int TrendSlices = 30;

    // ---- managed-leak ----

    /// <summary>
    /// Kendall's tau the live heap's troughs must reach: 0.6 means at least 80 % of all pairs of troughs rise with
    /// time. A saw-tooth around a flat level scores near 0, a leak near 1 (the demo leak: 0.97).
    /// </summary>
    public const double LeakMinTau = 0.6;

    /// <summary>The fitted rise of the live heap over the range must reach this much: below it a "trend" is allocator noise (the steady demo's heap moves 4–8 MiB).</summary>
    public const long LeakMinRiseBytes = 16 * MiB;

    /// <summary>…and this share of where it started: a 2 GiB heap that gains 16 MiB has not leaked to speak of.</summary>
    public const double LeakMinRiseShare = 0.10;

    /// <summary>
    /// The second half of the range must still rise at this share of the whole range's slope: a heap that filled a
    /// cache at start-up and then went flat is not leaking now.
    /// </summary>
    public const double LeakMinLateSlopeShare = 0.25;

    /// <summary>
    /// The lows of the last quarter of the range must top every earlier low by this share of the rise the trend
    /// predicts for a quarter: a heap that grew and then stayed flat for a quarter of the range has stopped growing
    /// (the fragmentation demo fills its heap in its first 48 s and then holds it).
    /// </summary>
    public const double LeakLastQuarterRiseShare = 0.25;

    /// <summary>
    /// A full GC that leaves the heap below the start plus this share of the rise shows the rise was garbage, not a
    /// leak (the spike demo: a forced GC found 0.5 MiB live under a 400 MiB heap).
    /// </summary>
    public const double LeakFullGcVetoShare = 0.5;

    // ---- native-growth ----

    /// <summary>Kendall's tau RSS minus runtime-committed memory must reach to count as "keeps rising" (as for the heap).</summary>
    public const double NativeMinTau = 0.6;

    /// <summary>
    /// Fitted rise of the native part over the range: 32 MiB, twice the heap's, because RSS also moves with code
    /// pages, thread stacks and the runtime's own allocations (steady demo: 40–42 MiB, flat after start-up).
    /// </summary>
    public const long NativeMinRiseBytes = 32 * MiB;

    /// <summary>…and this share of RSS at the start of the range.</summary>
    public const double NativeMinRiseShare = 0.10;

    /// <summary>The native part's rise must be at least this many times the live heap's rise: growth the heap explains is the heap's.</summary>
    public const double NativeOverHeapFactor = 2;

    // ---- runtime-retention ----

    /// <summary>
    /// Memory held beyond what is live must be at least this much to matter: the steady demo keeps 20 MiB committed
    /// above a 7 MiB heap, which is the GC's normal budget, not retention.
    /// </summary>
    public const long RetentionMinBytes = 64 * MiB;

    /// <summary>…and committed must be at least this many times what is live (a 1 GiB heap with 1.1 GiB committed is fine).</summary>
    public const double RetentionMinRatio = 2;

    /// <summary>
    /// A full GC "reclaimed most of the heap" when it freed at least this share of it (and at least
    /// <see cref="RetentionMinBytes"/>): the heap before it was garbage the runtime had kept.
    /// </summary>
    public const double RetentionReclaimShare = 0.5;

    /// <summary>
    /// Seconds of retention needed in the range. The spike demo holds garbage for ~30–45 s and then keeps committed
    /// memory for ~15 s in each 60 s cycle; a few seconds after a GC are the GC's normal pace of decommitting.
    /// </summary>
    public const double RetentionMinSeconds = 30;

    // ---- lazy-free ----

    /// <summary>LazyFree must be at least this much: a few MiB of MADV_FREE pages are routine for allocators that use it.</summary>
    public const long LazyFreeMinBytes = 32 * MiB;

    /// <summary>…and this share of RSS: then RSS overstates what the process holds by enough to mislead.</summary>
    public const double LazyFreeMinShareOfRss = 0.10;

    // ---- glibc-arenas ----

    /// <summary>
    /// At least this many arena heaps: glibc allows 8 per core, and a .NET process already has about one per runtime
    /// thread (15 here, 132 KiB to a few MiB each), so the count alone says little; 8 with the size below does.
    /// </summary>
    public const int ArenasMinCount = 8;

    /// <summary>Read-write bytes in the arenas (their high-water mark): 256 MiB is four fully grown heaps' worth.</summary>
    public const long ArenasMinBytes = 256 * MiB;

    /// <summary>…and this share of RSS, so that the arenas are a large part of what the user sees.</summary>
    public const double ArenasMinShareOfRss = 0.25;

    // ---- fragmentation ----

    /// <summary>Fragmented bytes (free space inside the GC heap) must be at least this much (the steady demo: up to 3.7 MiB, routine).</summary>
    public const long FragmentationMinBytes = 32 * MiB;

    /// <summary>…and this share of the GC heap (the fragmentation demo: about half).</summary>
    public const double FragmentationMinShare = 0.25;

    /// <summary>Share of the readings in the recent part that must meet both: sustained, not one GC's snapshot (gen0 holes close at the next GC).</summary>
    public const double SustainedShare = 0.6;

    /// <summary>
    /// Full GCs in the recent part that make them the readings instead of the sampled series: two, so that one full
    /// GC's figure alone never decides (the fragmentation demo runs a background GC every 8–10 s, three or four per
    /// recent part).
    /// </summary>
    public const int FragmentationMinFullGcs = 2;

    // ---- container-pressure ----

    /// <summary>cgroup usage at or above this share of the limit counts as near it: the kernel starts reclaiming and the OOM killer is one spike away.</summary>
    public const double ContainerNearLimitShare = 0.90;

    /// <summary>
    /// Anonymous memory below this share of the limit means the usage is mostly page cache, which the kernel reclaims
    /// before killing anything: no finding then.
    /// </summary>
    public const double ContainerMinAnonShare = 0.60;

    // ---- healthy ----

    /// <summary>RSS moving by less than this (and <see cref="FlatShare"/>) over the recent part is "flat".</summary>
    public const long FlatBytes = 16 * MiB;

    /// <summary>…or by less than this share of it.</summary>
    public const double FlatShare = 0.10;
}
