using System.Buffers;
using System.Text;
using System.Text.Json;
using MemLens.Events;

namespace MemLens.Recording;

/// <summary>
/// Turns an event's own fields into the JSON object stored in <c>events.fields</c>: what
/// <see cref="MemEvent.WriteProperties"/> writes, less <c>type</c> (a column of its own). One instance per writer
/// thread; the buffers are reused, so only the resulting string is allocated.
/// </summary>
internal sealed class EventFields
{
    /// <summary>Longest fields object stored; a longer one (no MemLens event comes near) is replaced by <c>{}</c>.</summary>
    public const int MaxBytes = 256 * 1024;

    private readonly ArrayBufferWriter<byte> _buffer = new(1024);
    private readonly Utf8JsonWriter _writer;
    private byte[] _scratch = new byte[1024];

    public EventFields() => _writer = new Utf8JsonWriter(_buffer);

    public string ToJson(MemEvent memEvent)
    {
        _buffer.Clear();
        _writer.Reset(_buffer);
        _writer.WriteStartObject();
        memEvent.WriteProperties(_writer);
        _writer.WriteEndObject();
        _writer.Flush();
        var json = _buffer.WrittenSpan;
        if (json.Length > MaxBytes)
        {
            return "{}";
        }

        // WriteProperties writes "type" first; everything after its value is the fields, verbatim.
        var reader = new Utf8JsonReader(json);
        if (reader.Read() && reader.TokenType == JsonTokenType.StartObject
            && reader.Read() && reader.TokenType == JsonTokenType.PropertyName && reader.ValueTextEquals("type"u8)
            && reader.Read())
        {
            var rest = json[(int)reader.BytesConsumed..];
            if (rest.Length > 0 && rest[0] == (byte)',')
            {
                rest = rest[1..];
            }

            if (_scratch.Length < rest.Length + 1)
            {
                _scratch = new byte[Math.Max(rest.Length + 1, _scratch.Length * 2)];
            }

            _scratch[0] = (byte)'{';
            rest.CopyTo(_scratch.AsSpan(1));
            return Encoding.UTF8.GetString(_scratch, 0, rest.Length + 1);
        }

        return Encoding.UTF8.GetString(json);
    }
}
