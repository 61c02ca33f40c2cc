using System.Buffers;
using System.Text;
using System.Text.Json;
using MemLens.Events;

namespace MemLens.Doctor;

/// <summary>
/// Reads an event's fields through its JSON (<see cref="MemEvent.WriteProperties"/>), not through its class: an event
/// read back from a recording or replayed from JSON lines is another subclass with the same JSON, and the doctor must
/// judge both alike. Only top-level scalar fields are read, and only those asked for. One instance per examination
/// (not thread-safe); the buffer is reused from event to event.
/// </summary>
internal sealed class EventFields
{
    private readonly ArrayBufferWriter<byte> _buffer = new(1024);
    private readonly Utf8JsonWriter _writer;
    private readonly byte[][] _names;
    private readonly double?[] _numbers;
    private readonly string?[] _strings;
    private readonly bool?[] _bools;

    /// <param name="names">The fields to read, by their JSON names.</param>
    public EventFields(params string[] names)
    {
        _writer = new Utf8JsonWriter(_buffer);
        _names = names.Select(Encoding.UTF8.GetBytes).ToArray();
        _numbers = new double?[names.Length];
        _strings = new string?[names.Length];
        _bools = new bool?[names.Length];
    }

    /// <summary>The event's <c>type</c> field after <see cref="Load"/>.</summary>
    public string? Type { get; private set; }

    /// <summary>Reads <paramref name="memEvent"/>'s fields; false (and every field empty) when its JSON cannot be read.</summary>
    public bool Load(MemEvent memEvent)
    {
        ArgumentNullException.ThrowIfNull(memEvent);
        Array.Clear(_numbers);
        Array.Clear(_strings);
        Array.Clear(_bools);
        Type = null;
        _buffer.ResetWrittenCount();
        _writer.Reset(_buffer);
        try
        {
            _writer.WriteStartObject();
            memEvent.WriteProperties(_writer);
            _writer.WriteEndObject();
            _writer.Flush();
            return Parse(_buffer.WrittenSpan);
        }
        catch (Exception ex) when (ex is InvalidOperationException or JsonException or ArgumentException)
        {
            // An event that cannot write itself is skipped, never fatal to the whole examination.
            return false;
        }
    }

    /// <summary>The numeric field at <paramref name="index"/> of the names given to the constructor, if present.</summary>
    public double? Number(int index) => _numbers[index];

    /// <summary>The string field at <paramref name="index"/>, if present.</summary>
    public string? String(int index) => _strings[index];

    /// <summary>The boolean field at <paramref name="index"/>, if present.</summary>
    public bool? Bool(int index) => _bools[index];

    private bool Parse(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return false;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            int index = -1;
            bool isType = reader.ValueTextEquals("type"u8);
            for (int i = 0; i < _names.Length && !isType; i++)
            {
                if (reader.ValueTextEquals(_names[i]))
                {
                    index = i;
                    break;
                }
            }

            if (!reader.Read())
            {
                return false;
            }

            switch (reader.TokenType)
            {
                case JsonTokenType.StartObject or JsonTokenType.StartArray:
                    reader.Skip();
                    break;
                case JsonTokenType.String when isType:
                    Type = reader.GetString();
                    break;
                case JsonTokenType.String when index >= 0:
                    _strings[index] = reader.GetString();
                    break;
                case JsonTokenType.Number when index >= 0 && reader.TryGetDouble(out double number):
                    _numbers[index] = number;
                    break;
                case JsonTokenType.True or JsonTokenType.False when index >= 0:
                    _bools[index] = reader.GetBoolean();
                    break;
            }
        }

        return true;
    }
}
