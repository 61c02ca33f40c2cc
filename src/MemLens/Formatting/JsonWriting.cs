using System.Text.Json;

namespace MemLens.Formatting;

/// <summary>Small additions to <see cref="Utf8JsonWriter"/> that the JSON documents of MemLens share.</summary>
public static class JsonWriting
{
    /// <summary>Writes <c>"name": value</c>, or <c>"name": null</c> when there is no value.</summary>
    public static void WriteNumberOrNull(this Utf8JsonWriter writer, string name, long? value)
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (value is { } v)
        {
            writer.WriteNumber(name, v);
        }
        else
        {
            writer.WriteNull(name);
        }
    }
}
