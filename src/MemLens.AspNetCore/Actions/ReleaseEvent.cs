using System.Text.Json;
using MemLens.Events;

namespace MemLens.AspNetCore.Actions;

/// <summary>The moment memory was released on request, kept beside the series and drawn as a marker.</summary>
public sealed class ReleaseEvent(ReleaseResult result) : MemEvent(result.TimestampMs)
{
    public const string TypeName = "action.release";

    public ReleaseResult Result { get; } = result;

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
