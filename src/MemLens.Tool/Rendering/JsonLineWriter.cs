using System.Buffers;
using System.Text.Json;

namespace MemLens.Tool.Rendering;

/// <summary>
/// Writes one JSON object and its newline to a stream in a single <c>Write</c>. Under <c>memlens run</c> the child
/// writes to the same stdout pipe; a line handed to the kernel in pieces (the object, then the newline) can have the
/// child's output land in between, and a pipe write of up to PIPE_BUF (4 KiB) bytes is only atomic as one call.
/// Not thread-safe: one per writer loop.
/// </summary>
internal sealed class JsonLineWriter
{
    private readonly ArrayBufferWriter<byte> _buffer = new(4096);
    private readonly Utf8JsonWriter _writer;

    public JsonLineWriter(JsonWriterOptions options) => _writer = new Utf8JsonWriter(_buffer, options);

    public void Write(Stream output, Action<Utf8JsonWriter> body)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(body);
        _buffer.ResetWrittenCount();
        _writer.Reset(_buffer);
        body(_writer);
        _writer.Flush();
        _buffer.GetSpan(1)[0] = (byte)'\n';
        _buffer.Advance(1);
        output.Write(_buffer.WrittenSpan);
    }
}
