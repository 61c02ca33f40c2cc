using MemLens.Metrics;

namespace MemLens.Go;

/// <summary>
/// Which catalog series a Go trace line feeds, in one place for the live source (<see cref="GoTraceSource"/>) and
/// replays of a saved log: the per-GC heap figures, times and CPU share, and the scavenger's released total.
/// </summary>
public static class GoTraceMetrics
{
    /// <summary>Writes the figures of one GC (<c>go.gc.*</c>) through <paramref name="write"/>.</summary>
    public static void WriteGc(GoGcTraceEvent gc, Action<MetricDescriptor, double> write)
    {
        ArgumentNullException.ThrowIfNull(gc);
        ArgumentNullException.ThrowIfNull(write);
        write(MetricCatalog.GoGcHeapStart, gc.HeapStartBytes);
        write(MetricCatalog.GoGcHeapEnd, gc.HeapEndBytes);
        write(MetricCatalog.GoGcHeapLive, gc.HeapLiveBytes);
        write(MetricCatalog.GoGcHeapGoal, gc.HeapGoalBytes);
        write(MetricCatalog.GoGcStopTheWorld, gc.StopTheWorld.TotalSeconds);
        write(MetricCatalog.GoGcMark, gc.ConcurrentMarkClock.TotalSeconds);
        write(MetricCatalog.GoGcCpu, gc.CpuPercent / 100.0);
        write(MetricCatalog.GoGcCount, gc.Number);
    }

    /// <summary>
    /// Writes one scavenger report's figures (<c>go.scavenger.*</c>). <paramref name="workTotal"/> is the running sum
    /// of scavenged bytes the caller keeps; this report's work is added to it.
    /// </summary>
    public static void WriteScavenge(GoScavengeTraceEvent scavenge, ref long workTotal, Action<MetricDescriptor, double> write)
    {
        ArgumentNullException.ThrowIfNull(scavenge);
        ArgumentNullException.ThrowIfNull(write);
        if (scavenge.ReleasedBytes is { } work)
        {
            workTotal += work;
        }

        write(MetricCatalog.GoScavengerWork, workTotal);
        if (scavenge.HeapReleasedBytes is { } released)
        {
            write(MetricCatalog.GoScavengerReleased, released);
        }
    }
}

/// <summary>How many lines of each kind a reader of a Go program's output has seen.</summary>
public sealed class GoTraceTally
{
    private long _gc;
    private long _scavenge;
    private long _malformed;
    private long _other;

    public long GcLines => Interlocked.Read(ref _gc);

    public long ScavengeLines => Interlocked.Read(ref _scavenge);

    public long MalformedLines => Interlocked.Read(ref _malformed);

    public long OtherLines => Interlocked.Read(ref _other);

    /// <summary>Counts one line of the given kind; safe from any thread.</summary>
    public void Count(GoTraceLineKind kind)
    {
        switch (kind)
        {
            case GoTraceLineKind.Gc: Interlocked.Increment(ref _gc); break;
            case GoTraceLineKind.Scavenge: Interlocked.Increment(ref _scavenge); break;
            case GoTraceLineKind.Malformed: Interlocked.Increment(ref _malformed); break;
            default: Interlocked.Increment(ref _other); break;
        }
    }

    /// <summary>Writes the counts as the members of an open JSON object (snake_case, as in the tool's line format).</summary>
    public void WriteJson(System.Text.Json.Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteNumber("gc_lines", GcLines);
        writer.WriteNumber("scavenge_lines", ScavengeLines);
        writer.WriteNumber("malformed_lines", MalformedLines);
        writer.WriteNumber("other_lines", OtherLines);
    }

    public override string ToString() =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"{GcLines} GC lines, {ScavengeLines} scavenger lines, {MalformedLines} malformed trace lines, {OtherLines} other lines");
}
