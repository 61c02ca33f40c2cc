using System.Globalization;
using System.Text.Json;
using MemLens.Events;
using MemLens.Formatting;

namespace MemLens.Go;

/// <summary>
/// One Go garbage collection as a <c>GODEBUG=gctrace=1</c> line reports it (Go 1.5 and later).
/// </summary>
/// <remarks>
/// Sizes: the runtime prints heap figures as <c>bytes &gt;&gt; 20</c> followed by "MB" (runtime/mgc.go,
/// <c>work.heap0&gt;&gt;20, "-&gt;", …, " MB, "</c>), so "MB" means MiB and the value is rounded down: a figure
/// of <c>n MB</c> is stored as <c>n × 2^20</c> bytes, which is a lower bound (the truth is below
/// <c>(n+1) × 2^20</c>). Times: clock and CPU phases are printed in milliseconds with at most three decimals
/// (<c>fmtNSAsMS</c>), the start time in seconds with three decimals.
/// </remarks>
public sealed class GoGcTraceEvent : MemEvent
{
    public GoGcTraceEvent(long timestampMs, long number) : base(timestampMs) => Number = number;

    public override string Type => "go.gc";

    /// <summary>The GC number (<c>gc #</c>), 1 for the program's first GC.</summary>
    public long Number { get; }

    /// <summary>When the GC started, as time since program start (<c>@#s</c>).</summary>
    public TimeSpan SinceStart { get; init; }

    /// <summary>Percentage of the program's CPU time spent in GC since it started (<c>#%</c>).</summary>
    public double CpuPercent { get; init; }

    /// <summary>
    /// Every wall-clock phase as printed: 3 since Go 1.7 (STW sweep termination, concurrent mark and scan,
    /// STW mark termination); 5 in Go 1.5 and 1.6 (sweep termination, scan, synchronize Ps, mark, mark termination).
    /// </summary>
    public IReadOnlyList<TimeSpan> ClockPhases { get; init; } = [];

    /// <summary>Stop-the-world sweep termination: the first clock phase.</summary>
    public TimeSpan SweepTerminationClock { get; init; }

    /// <summary>Concurrent mark and scan: the clock phases between the first and the last (the sum of the three middle ones in Go 1.5–1.6).</summary>
    public TimeSpan ConcurrentMarkClock { get; init; }

    /// <summary>Stop-the-world mark termination: the last clock phase.</summary>
    public TimeSpan MarkTerminationClock { get; init; }

    /// <summary>Every CPU figure as printed, left to right (5 since Go 1.7: sweep termination, assist, background, idle, mark termination).</summary>
    public IReadOnlyList<TimeSpan> CpuPhases { get; init; } = [];

    /// <summary>CPU time of sweep termination (the first CPU figure).</summary>
    public TimeSpan? SweepTerminationCpu { get; init; }

    /// <summary>Mark CPU time done by allocating goroutines (assists); null when the line has no <c>a/b/c</c> group.</summary>
    public TimeSpan? AssistCpu { get; init; }

    /// <summary>Mark CPU time of the dedicated and fractional background workers.</summary>
    public TimeSpan? BackgroundCpu { get; init; }

    /// <summary>Mark CPU time of idle workers.</summary>
    public TimeSpan? IdleCpu { get; init; }

    /// <summary>CPU time of mark termination (the last CPU figure); null when the line has a single CPU figure.</summary>
    public TimeSpan? MarkTerminationCpu { get; init; }

    /// <summary>Heap size when the GC started (first of <c>#-&gt;#-&gt;# MB</c>), in bytes.</summary>
    public long HeapStartBytes { get; init; }

    /// <summary>Heap size when the GC ended.</summary>
    public long HeapEndBytes { get; init; }

    /// <summary>Live heap: what the GC marked reachable.</summary>
    public long HeapLiveBytes { get; init; }

    /// <summary>The heap goal (<c># MB goal</c>).</summary>
    public long HeapGoalBytes { get; init; }

    /// <summary>Scannable stack size (<c># MB stacks</c>, Go 1.18+); null when the line does not say (older Go).</summary>
    public long? StacksBytes { get; init; }

    /// <summary>Scannable globals size (<c># MB globals</c>, Go 1.18+); null when the line does not say.</summary>
    public long? GlobalsBytes { get; init; }

    /// <summary>Number of Ps (GOMAXPROCS) used (<c># P</c>).</summary>
    public int Processors { get; init; }

    /// <summary>True for a GC forced by <c>runtime.GC()</c> or <c>debug.FreeOSMemory()</c> (<c>(forced)</c>).</summary>
    public bool Forced { get; init; }

    public TimeSpan StopTheWorld => SweepTerminationClock + MarkTerminationClock;

    public override string Describe() => string.Create(CultureInfo.InvariantCulture,
        $"Go GC #{Number} @{SinceStart.TotalSeconds:0.###}s{(Forced ? " forced" : "")}, STW {StopTheWorld.TotalMilliseconds:0.###} ms, heap {ByteSize.Format(HeapStartBytes)} → {ByteSize.Format(HeapEndBytes)}, live {ByteSize.Format(HeapLiveBytes)}, goal {ByteSize.Format(HeapGoalBytes)}");

    protected override void WriteFields(Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteNumber("number", Number);
        writer.WriteNumber("since_start", SinceStart.TotalSeconds);
        writer.WriteNumber("cpu_percent", CpuPercent);
        writer.WriteNumber("sweep_termination_clock", SweepTerminationClock.TotalSeconds);
        writer.WriteNumber("concurrent_mark_clock", ConcurrentMarkClock.TotalSeconds);
        writer.WriteNumber("mark_termination_clock", MarkTerminationClock.TotalSeconds);
        WriteOptional(writer, "sweep_termination_cpu", SweepTerminationCpu);
        WriteOptional(writer, "assist_cpu", AssistCpu);
        WriteOptional(writer, "background_cpu", BackgroundCpu);
        WriteOptional(writer, "idle_cpu", IdleCpu);
        WriteOptional(writer, "mark_termination_cpu", MarkTerminationCpu);
        writer.WriteNumber("heap_start", HeapStartBytes);
        writer.WriteNumber("heap_end", HeapEndBytes);
        writer.WriteNumber("heap_live", HeapLiveBytes);
        writer.WriteNumber("heap_goal", HeapGoalBytes);
        if (StacksBytes is { } stacks)
        {
            writer.WriteNumber("stacks", stacks);
        }

        if (GlobalsBytes is { } globals)
        {
            writer.WriteNumber("globals", globals);
        }

        writer.WriteNumber("procs", Processors);
        writer.WriteBoolean("forced", Forced);
    }

    private static void WriteOptional(Utf8JsonWriter writer, string name, TimeSpan? value)
    {
        if (value is { } v)
        {
            writer.WriteNumber(name, v.TotalSeconds);
        }
    }
}
