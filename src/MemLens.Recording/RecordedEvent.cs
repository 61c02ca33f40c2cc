using System.Text.Json;
using MemLens.Events;

namespace MemLens.Recording;

/// <summary>
/// An event read back from a recording. It is whatever event was recorded (a GC, a note, an action) without its
/// original class: <see cref="Type"/> and <see cref="MemEvent.Describe"/> are the recorded ones, and its JSON
/// (<see cref="MemEvent.WriteJson"/>) has the recorded fields in their order, so it equals the original event's JSON.
/// </summary>
public sealed class RecordedEvent : MemEvent
{
    private readonly string _text;
    private JsonElement? _fields;

    /// <param name="timestampMs">Unix milliseconds.</param>
    /// <param name="type">The event's type, e.g. <c>gc</c>.</param>
    /// <param name="text">Its one-line description.</param>
    /// <param name="fieldsJson">A JSON object of its own fields, without <c>t</c> and <c>type</c>.</param>
    public RecordedEvent(long timestampMs, string type, string text, string fieldsJson) : base(timestampMs)
    {
        ArgumentNullException.ThrowIfNull(type);
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(fieldsJson);
        Type = type;
        _text = text;
        FieldsJson = fieldsJson;
    }

    public override string Type { get; }

    /// <summary>The object of the event's own fields, as recorded: everything of its JSON but <c>t</c> and <c>type</c>.</summary>
    public string FieldsJson { get; }

    public override string Describe() => _text;

    /// <summary>Writes the recorded fields back; a fields text that is not a JSON object (a damaged file) writes none.</summary>
    protected override void WriteFields(Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        var fields = _fields ??= Parse(FieldsJson);
        if (fields.ValueKind != JsonValueKind.Object)
        {
            return;
        }

        foreach (var property in fields.EnumerateObject())
        {
            property.WriteTo(writer);
        }
    }

    private static JsonElement Parse(string json)
    {
        try
        {
            using var doc = JsonDocument.Parse(json);
            return doc.RootElement.Clone();
        }
        catch (JsonException)
        {
            return default;
        }
    }
}
