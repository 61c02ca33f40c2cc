using System.Text.Json;
using MemLens.Events;

namespace MemLens.AspNetCore.Actions;

/// <summary>The moment a full GC was induced in the attached process, drawn as a marker.</summary>
public sealed class InducedGcEvent(InducedGcResult result) : MemEvent(result.TimestampMs)
{
    public const string TypeName = "action.gc";

    public InducedGcResult Result { get; } = result;

    public override string Type => TypeName;

    public override string Describe() => Result.Describe();

    protected override void WriteFields(Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStartObject("result");
        Result.WriteFields(writer);
        writer.WriteEndObject();
    }
}

/// <summary>A heap snapshot that ended (taken, or failed), drawn as a marker at the moment the heap was walked.</summary>
internal sealed class SnapshotEvent(SnapshotEntry entry) : MemEvent(entry.TimestampMs)
{
    public const string TypeName = "action.snapshot";

    public SnapshotEntry Entry { get; } = entry;

    public override string Type => TypeName;

    public override string Describe() => Entry.Describe();

    protected override void WriteFields(Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WritePropertyName("snapshot");
        Entry.WriteSummary(writer);
    }
}
