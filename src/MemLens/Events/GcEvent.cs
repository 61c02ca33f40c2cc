using System.Globalization;
using System.Text.Json;
using MemLens.Formatting;

namespace MemLens.Events;

/// <summary>The kind of a .NET GC, as <see cref="GCKind"/> reports it.</summary>
public enum GcKind
{
    /// <summary>Not known: the GC fell between two samples and its details were overwritten by a later GC.</summary>
    Unknown,

    /// <summary>A gen0 or gen1 GC.</summary>
    Ephemeral,

    /// <summary>A blocking gen2 GC (threads paused for the whole collection).</summary>
    FullBlocking,

    /// <summary>A background gen2 GC (runs concurrently with the program, with short pauses).</summary>
    Background,
}

/// <summary>Sizes of one generation before and after a GC.</summary>
public readonly record struct GcGenerationSizes(long SizeBeforeBytes, long SizeAfterBytes, long FragmentationBeforeBytes, long FragmentationAfterBytes);

/// <summary>
/// One garbage collection. Every GC index gets an event; a GC whose details could not be read
/// (several GCs between two samples) has <see cref="HasDetails"/> false and is flagged rather than lost.
/// </summary>
public sealed class GcEvent : MemEvent
{
    private static readonly string[] s_generationNames = ["gen0", "gen1", "gen2", "loh", "poh"];

    public GcEvent(long timestampMs, long index) : base(timestampMs) => Index = index;

    public override string Type => "gc";

    /// <summary>The GC's index: 1 for the first GC of the process, then one more for each.</summary>
    public long Index { get; }

    /// <summary>The generation collected (0, 1 or 2), or −1 when not known.</summary>
    public int Generation { get; init; } = -1;

    public GcKind Kind { get; init; }

    /// <summary>False when the GC was counted but its details were not available (see class remarks).</summary>
    public bool HasDetails { get; init; }

    public bool Compacted { get; init; }

    public bool Concurrent { get; init; }

    /// <summary>Total time threads were paused by this GC.</summary>
    public TimeSpan Pause { get; init; }

    /// <summary>GC pause time as a percentage of time since the previous GC, as the runtime reports it.</summary>
    public double? PauseTimePercentage { get; init; }

    public long HeapSizeBeforeBytes { get; init; }

    public long HeapSizeAfterBytes { get; init; }

    /// <summary>Memory the GC had committed after this GC; null when the source cannot tell (EventPipe has no per-GC committed figure: the attached source records committed as a series instead).</summary>
    public long? CommittedBytes { get; init; }

    public long FragmentedBytes { get; init; }

    public long PromotedBytes { get; init; }

    public long PinnedObjects { get; init; }

    /// <summary>Per generation (gen0, gen1, gen2, LOH, POH) before and after; empty without details.</summary>
    public IReadOnlyList<GcGenerationSizes> Generations { get; init; } = [];

    /// <summary>Why the GC happened, as the runtime's events name it (<c>AllocSmall</c>, <c>Induced</c>, <c>LowMemory</c> …); null in-process, where the GC API does not say.</summary>
    public string? Reason { get; init; }

    /// <summary>Where the event was observed: <c>in-process</c>, <c>eventpipe</c>.</summary>
    public string Origin { get; init; } = "in-process";

    public override string Describe()
    {
        if (!HasDetails)
        {
            string gen = Generation >= 0 ? $"gen{Generation}" : "generation unknown";
            return $"GC #{Index} {gen} (details missed: another GC followed before the next sample)";
        }

        string kind = Kind switch
        {
            GcKind.FullBlocking => "blocking",
            GcKind.Background => "background",
            _ => "ephemeral",
        };
        string reason = Reason is null ? "" : $" ({Reason})";
        return string.Create(CultureInfo.InvariantCulture,
            $"GC #{Index} gen{Generation} {kind}{(Compacted ? " compacting" : "")}{reason}, pause {Pause.TotalMilliseconds:0.###} ms, heap {ByteSize.Format(HeapSizeBeforeBytes)} → {ByteSize.Format(HeapSizeAfterBytes)}");
    }

    protected override void WriteFields(Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteNumber("index", Index);
        writer.WriteNumber("generation", Generation);
        writer.WriteString("kind", Kind switch
        {
            GcKind.Ephemeral => "ephemeral",
            GcKind.FullBlocking => "full-blocking",
            GcKind.Background => "background",
            _ => "unknown",
        });
        writer.WriteBoolean("details", HasDetails);
        writer.WriteString("origin", Origin);
        if (!HasDetails)
        {
            return;
        }

        writer.WriteBoolean("compacted", Compacted);
        writer.WriteBoolean("concurrent", Concurrent);
        writer.WriteNumber("pause", Pause.TotalSeconds);
        if (PauseTimePercentage is { } pausePercent)
        {
            writer.WriteNumber("pause_percent", pausePercent);
        }

        writer.WriteNumber("heap_before", HeapSizeBeforeBytes);
        writer.WriteNumber("heap_after", HeapSizeAfterBytes);
        if (CommittedBytes is { } committed)
        {
            writer.WriteNumber("committed", committed);
        }

        if (Reason is not null)
        {
            writer.WriteString("reason", Reason);
        }

        writer.WriteNumber("fragmented", FragmentedBytes);
        writer.WriteNumber("promoted", PromotedBytes);
        writer.WriteNumber("pinned_objects", PinnedObjects);
        writer.WriteStartObject("generations");
        for (int i = 0; i < Generations.Count && i < s_generationNames.Length; i++)
        {
            var g = Generations[i];
            writer.WriteStartObject(s_generationNames[i]);
            writer.WriteNumber("size_before", g.SizeBeforeBytes);
            writer.WriteNumber("size_after", g.SizeAfterBytes);
            writer.WriteNumber("fragmentation_before", g.FragmentationBeforeBytes);
            writer.WriteNumber("fragmentation_after", g.FragmentationAfterBytes);
            writer.WriteEndObject();
        }

        writer.WriteEndObject();
    }
}
