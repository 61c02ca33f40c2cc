using System.Globalization;
using System.Text;
using System.Text.Json;
using MemLens.Events;
using MemLens.Formatting;

namespace MemLens.Go;

/// <summary>Which of the Go scavenger's trace formats a line was in.</summary>
public enum GoScavengeTraceFormat
{
    /// <summary><c>scav # KiB work (bg), # KiB work (eager), # KiB now, #% util</c> (newest runtimes).</summary>
    WorkBackgroundEager,

    /// <summary><c>scav [gen] # KiB|KB work, # KiB|KB total, #% util</c> (Go 1.14 to at least 1.19).</summary>
    WorkTotal,

    /// <summary><c>scvg#: inuse: #, idle: #, sys: #, released: #, consumed: # (MB)</c> (Go ≤ 1.13, printed with gctrace).</summary>
    ScvgSummary,

    /// <summary><c>scvg#: # MB released</c> (Go ≤ 1.13).</summary>
    ScvgReleased,
}

/// <summary>
/// One report of Go's scavenger, which returns free heap pages to the OS. Figures are in bytes: the runtime
/// prints <c>bytes &gt;&gt; 10</c> as "KiB" (or "KB" in Go 1.14–1.16) and <c>bytes &gt;&gt; 20</c> as "MB" in scvg lines,
/// so each is a multiple of 1024 or 2^20 and rounded down. A figure the format does not carry is null, not zero.
/// </summary>
public sealed class GoScavengeTraceEvent : MemEvent
{
    public GoScavengeTraceEvent(long timestampMs, GoScavengeTraceFormat format) : base(timestampMs) => Format = format;

    public override string Type => "go.scavenge";

    public GoScavengeTraceFormat Format { get; }

    /// <summary>The scavenger generation or cycle number (<c>scvg#</c>, or the first number of Go 1.14's <c>scav # # KB work</c>).</summary>
    public long? Generation { get; init; }

    /// <summary>Memory released by this scavenging work (<c>work</c>, bg + eager in the newest format, <c># MB released</c> in scvg).</summary>
    public long? ReleasedBytes { get; init; }

    /// <summary>Released by the background scavenger (<c>work (bg)</c>), newest format only.</summary>
    public long? BackgroundReleasedBytes { get; init; }

    /// <summary>Released eagerly, in line with allocation or a forced scavenge (<c>work (eager)</c>), newest format only.</summary>
    public long? EagerReleasedBytes { get; init; }

    /// <summary>Heap memory released to the OS in total so far (<c>total</c>, <c>now</c>, or scvg's <c>released:</c>).</summary>
    public long? HeapReleasedBytes { get; init; }

    /// <summary>Heap in use as a percentage of retained heap (<c>#% util</c>).</summary>
    public int? UtilizationPercent { get; init; }

    /// <summary>scvg summary: heap in use.</summary>
    public long? InUseBytes { get; init; }

    /// <summary>scvg summary: idle heap.</summary>
    public long? IdleBytes { get; init; }

    /// <summary>scvg summary: heap obtained from the OS.</summary>
    public long? SysBytes { get; init; }

    /// <summary>scvg summary: sys − released.</summary>
    public long? ConsumedBytes { get; init; }

    /// <summary>True for a scavenge forced by <c>debug.FreeOSMemory()</c> (<c>(forced)</c>).</summary>
    public bool Forced { get; init; }

    /// <summary>True when the runtime reset the scavenger's controller (<c>[controller reset]</c>).</summary>
    public bool ControllerReset { get; init; }

    public override string Describe()
    {
        var sb = new StringBuilder("Go scavenger");
        if (Forced)
        {
            sb.Append(" (forced)");
        }

        Append(sb, "released", ReleasedBytes);
        Append(sb, "total released", HeapReleasedBytes);
        Append(sb, "in use", InUseBytes);
        Append(sb, "sys", SysBytes);
        if (UtilizationPercent is { } util)
        {
            sb.Append(CultureInfo.InvariantCulture, $", {util}% util");
        }

        return sb.ToString();
    }

    private static void Append(StringBuilder sb, string label, long? bytes)
    {
        if (bytes is { } b)
        {
            sb.Append(", ").Append(label).Append(' ').Append(ByteSize.Format(b));
        }
    }

    protected override void WriteFields(Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteString("format", Format switch
        {
            GoScavengeTraceFormat.WorkBackgroundEager => "scav-bg-eager",
            GoScavengeTraceFormat.WorkTotal => "scav-total",
            GoScavengeTraceFormat.ScvgSummary => "scvg-summary",
            _ => "scvg-released",
        });
        WriteOptional(writer, "generation", Generation);
        WriteOptional(writer, "released", ReleasedBytes);
        WriteOptional(writer, "released_bg", BackgroundReleasedBytes);
        WriteOptional(writer, "released_eager", EagerReleasedBytes);
        WriteOptional(writer, "heap_released", HeapReleasedBytes);
        WriteOptional(writer, "util_percent", UtilizationPercent);
        WriteOptional(writer, "inuse", InUseBytes);
        WriteOptional(writer, "idle", IdleBytes);
        WriteOptional(writer, "sys", SysBytes);
        WriteOptional(writer, "consumed", ConsumedBytes);
        writer.WriteBoolean("forced", Forced);
        writer.WriteBoolean("controller_reset", ControllerReset);
    }

    private static void WriteOptional(Utf8JsonWriter writer, string name, long? value)
    {
        if (value is { } v)
        {
            writer.WriteNumber(name, v);
        }
    }
}
