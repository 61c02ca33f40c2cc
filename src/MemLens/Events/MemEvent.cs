using System.Text.Json;

namespace MemLens.Events;

/// <summary>
/// Something that happened at one moment: a GC, a process exit, a user action. Events are kept
/// beside the series in the store and shown as markers.
/// </summary>
public abstract class MemEvent
{
    protected MemEvent(long timestampMs) => TimestampMs = timestampMs;

    /// <summary>Unix milliseconds.</summary>
    public long TimestampMs { get; private set; }

    /// <summary>
    /// A copy of this event at another time, for a replay that places events on a timeline of its own once they are
    /// parsed (a shallow copy: events are immutable).
    /// </summary>
    internal MemEvent At(long timestampMs)
    {
        var copy = (MemEvent)MemberwiseClone();
        copy.TimestampMs = timestampMs;
        return copy;
    }

    /// <summary>Stable type name, e.g. <c>gc</c>, <c>process.exit</c>, <c>source.error</c>.</summary>
    public abstract string Type { get; }

    /// <summary>One line for people, e.g. <c>GC #12 gen2 blocking, pause 3.1 ms, heap 210 MiB → 12 MiB</c>.</summary>
    public abstract string Describe();

    /// <summary>Writes the event as one JSON object: <c>{"t": …, "type": …, …}</c>, values in base units.</summary>
    public void WriteJson(Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStartObject();
        writer.WriteString("t", Formatting.Timestamps.ToIso8601(TimestampMs));
        WriteProperties(writer);
        writer.WriteEndObject();
    }

    /// <summary>
    /// Writes <c>type</c> and the event's own fields into an object the caller has opened, for surfaces that
    /// stamp time their own way (the dashboard API uses Unix ms).
    /// </summary>
    public void WriteProperties(Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteString("type", Type);
        WriteFields(writer);
    }

    /// <summary>Writes the event's own fields inside the JSON object.</summary>
    protected abstract void WriteFields(Utf8JsonWriter writer);

    public override string ToString() => Describe();
}

/// <summary>A plain event with a message: process exit, a source failing or recovering, a note.</summary>
public sealed class NoteEvent : MemEvent
{
    public NoteEvent(long timestampMs, string type, string message) : base(timestampMs)
    {
        Type = type;
        Message = message;
    }

    public override string Type { get; }

    public string Message { get; }

    public override string Describe() => Message;

    protected override void WriteFields(Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteString("message", Message);
    }
}
