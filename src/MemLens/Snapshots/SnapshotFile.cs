using System.Globalization;
using System.Text.Json;

namespace MemLens.Snapshots;

/// <summary>
/// Saves and reads a <see cref="HeapSnapshot"/> as JSON (docs/snapshot-format.md). Written with
/// <see cref="Utf8JsonWriter"/> and read as a stream with <see cref="Utf8JsonReader"/>: no reflection, so it stays
/// trimming-safe, and no copy of the file in memory (<see cref="Scan"/> reads any file in bounded memory).
/// Reading is bounded (<see cref="MaxFileBytes"/>) and every problem is one <see cref="SnapshotFileException"/>.
/// </summary>
public static class SnapshotFile
{
    /// <summary>The value of the <c>format</c> field.</summary>
    public const string FormatName = "memlens-heap-snapshot";

    /// <summary>The version this code writes and the highest it reads. Adding fields keeps the version; changing or removing one bumps it.</summary>
    public const int Version = 1;

    /// <summary>Files larger than this are refused (a snapshot has one small entry per type: a few MiB at most in practice).</summary>
    public const long MaxFileBytes = 256L * 1024 * 1024;

    /// <summary>The extension the tool gives snapshot files.</summary>
    public const string Extension = ".memlens-snapshot.json";

    /// <summary>Writes <paramref name="snapshot"/> to <paramref name="path"/> (through a temporary file, so a reader never sees half a file).</summary>
    public static void Write(string path, HeapSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(snapshot);
        string full = Path.GetFullPath(path);
        string temp = full + ".tmp-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        try
        {
            using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
            {
                Write(stream, snapshot);
            }

            File.Move(temp, full, overwrite: true);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
    }

    /// <summary>Writes <paramref name="snapshot"/> as indented JSON to <paramref name="output"/>.</summary>
    public static void Write(Stream output, HeapSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(snapshot);
        using (var w = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteString("format", FormatName);
            w.WriteNumber("version", Version);
            w.WriteString("id", snapshot.Id);
            w.WriteNumber("process_id", snapshot.ProcessId);
            w.WriteString("process_name", snapshot.ProcessName);
            w.WriteNumber("taken_at_ms", snapshot.TakenAtMs);
            w.WriteString("taken_at", DateTimeOffset.FromUnixTimeMilliseconds(snapshot.TakenAtMs).ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
            w.WriteNumber("duration_ms", Math.Round(snapshot.Duration.TotalMilliseconds, 3));
            w.WriteNumber("gc_index", snapshot.GcIndex);
            if (snapshot.RuntimeVersion is { } version)
            {
                w.WriteString("runtime_version", version);
            }
            else
            {
                w.WriteNull("runtime_version");
            }

            w.WriteBoolean("truncated", snapshot.Truncated);
            w.WriteNumber("events_lost", snapshot.EventsLost);
            if (snapshot.Note is { } note)
            {
                w.WriteString("note", note);
            }
            else
            {
                w.WriteNull("note");
            }

            w.WriteNumber("total_objects", snapshot.TotalObjects);
            w.WriteNumber("total_bytes", snapshot.TotalBytes);
            w.WriteStartArray("types");
            foreach (var t in snapshot.Types)
            {
                w.WriteStartObject();
                w.WriteString("name", t.Name);
                w.WriteNumber("count", t.Count);
                w.WriteNumber("bytes", t.Bytes);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        output.WriteByte((byte)'\n');
        output.Flush();
    }

    /// <summary>Reads the snapshot saved at <paramref name="path"/>.</summary>
    /// <exception cref="SnapshotFileException">The file is missing, unreadable, too big or not a valid snapshot.</exception>
    public static HeapSnapshot Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var types = new List<TypeStat>();
        var header = Scan(path, (n, c, b) => types.Add(new TypeStat(n, c, b)));
        return header.ToSnapshot(types);
    }

    /// <summary>
    /// Reads the file at <paramref name="path"/> as a stream, calling <paramref name="onType"/> for each entry of its
    /// <c>types</c> list, and returns everything else it holds (its header, with the totals checked against the
    /// entries). Memory stays bounded by the largest single entry, whatever the file's size, so a caller that
    /// aggregates as it goes (e.g. a diff) reads any file in bounded memory. The header's checks run once the whole
    /// file was read: a caller must drop what it gathered when this throws.
    /// </summary>
    /// <exception cref="SnapshotFileException">The file is missing, unreadable, too big or not a valid snapshot.</exception>
    public static SnapshotHeader Scan(string path, Action<string, long, long> onType)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(onType);
        try
        {
            if (Directory.Exists(path))
            {
                throw new SnapshotFileException($"{path}: is a directory, not a snapshot file");
            }

            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.SequentialScan);
            return ScanStream(stream, path, onType);
        }
        catch (FileNotFoundException)
        {
            throw new SnapshotFileException($"{path}: no such file");
        }
        catch (DirectoryNotFoundException)
        {
            throw new SnapshotFileException($"{path}: no such file");
        }
        catch (UnauthorizedAccessException)
        {
            throw new SnapshotFileException(Directory.Exists(path) ? $"{path}: is a directory, not a snapshot file" : $"{path}: permission denied");
        }
        catch (IOException ex)
        {
            throw new SnapshotFileException($"{path}: cannot read it: {ex.Message.ReplaceLineEndings(" ")}", ex);
        }
    }

    /// <summary>Reads a snapshot from <paramref name="input"/> (at most <see cref="MaxFileBytes"/>); <paramref name="name"/> names it in errors.</summary>
    /// <exception cref="SnapshotFileException">The content is too big or not a valid snapshot.</exception>
    public static HeapSnapshot Read(Stream input, string name)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(name);
        var types = new List<TypeStat>();
        return ScanStream(input, name, (n, c, b) => types.Add(new TypeStat(n, c, b))).ToSnapshot(types);
    }

    /// <summary>Parses snapshot JSON held in memory; <paramref name="name"/> names it in errors.</summary>
    /// <exception cref="SnapshotFileException">The content is not a valid snapshot.</exception>
    public static HeapSnapshot Parse(ReadOnlyMemory<byte> json, string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (json.Length > MaxFileBytes)
        {
            throw TooBig(name);
        }

        using var stream = new MemoryStream(json.ToArray(), writable: false);
        return Read(stream, name);
    }

    /// <summary>
    /// The streaming reader: a <see cref="Utf8JsonReader"/> over a window of the stream (64 KiB, grown only for a
    /// single longer token, up to <see cref="MaxTokenBytes"/>), a few locals for where it is in the document, and
    /// the header's values; the entries go to <paramref name="onType"/> one by one.
    /// </summary>
    private static SnapshotHeader ScanStream(Stream stream, string name, Action<string, long, long> onType)
    {
        var header = new SnapshotHeader(name);
        byte[] buffer = new byte[64 * 1024];
        int length = 0;
        long total = 0;
        bool final = false;
        var state = new JsonReaderState(new JsonReaderOptions { MaxDepth = 8 });
        var scan = new ScanState();
        try
        {
            while (true)
            {
                if (!final)
                {
                    int read = stream.Read(buffer, length, buffer.Length - length);
                    if (read == 0)
                    {
                        final = true;
                    }
                    else
                    {
                        length += read;
                        total += read;
                        if (total > MaxFileBytes)
                        {
                            throw TooBig(name);
                        }
                    }
                }

                var reader = new Utf8JsonReader(buffer.AsSpan(0, length), final, state);
                while (reader.Read())
                {
                    scan.Token(ref reader, header, onType);
                }

                if (final)
                {
                    if (!scan.RootSeen)
                    {
                        throw new SnapshotFileException($"{name}: not a MemLens snapshot: invalid or truncated JSON (the file is empty)");
                    }

                    break;
                }

                int consumed = (int)reader.BytesConsumed;
                state = reader.CurrentState;
                Buffer.BlockCopy(buffer, consumed, buffer, 0, length - consumed);
                length -= consumed;
                if (length == buffer.Length)
                {
                    // One token longer than the window: grow it, within bounds.
                    if (buffer.Length >= MaxTokenBytes)
                    {
                        throw Corrupt(name, $"a value is longer than {MaxTokenBytes / (1024 * 1024)} MiB");
                    }

                    Array.Resize(ref buffer, buffer.Length * 2);
                }
            }
        }
        catch (JsonException ex)
        {
            throw new SnapshotFileException($"{name}: not a MemLens snapshot: invalid or truncated JSON ({ex.Message.ReplaceLineEndings(" ")})", ex);
        }
        catch (InvalidOperationException ex)
        {
            // Utf8JsonReader's getters throw this for a value of the wrong kind.
            throw Corrupt(name, ex.Message.ReplaceLineEndings(" "));
        }
        catch (FormatException ex)
        {
            throw Corrupt(name, ex.Message.ReplaceLineEndings(" "));
        }

        header.Validate();
        return header;
    }

    /// <summary>Where the scanner is in the document; the JSON structure itself is checked by Utf8JsonReader.</summary>
    private sealed class ScanState
    {
        private int _depth;
        private int _skipTo = -1; // skipping an unknown nested value until the depth is back to this
        private string? _property; // the root's property whose value comes next
        private bool _inTypes;
        private string? _entryProperty;
        private string? _entryName;
        private long? _entryCount;
        private long? _entryBytes;

        public bool RootSeen { get; private set; }

        public void Token(ref Utf8JsonReader reader, SnapshotHeader header, Action<string, long, long> onType)
        {
            var type = reader.TokenType;
            bool opens = type is JsonTokenType.StartObject or JsonTokenType.StartArray;
            bool closes = type is JsonTokenType.EndObject or JsonTokenType.EndArray;
            if (_skipTo >= 0)
            {
                _depth += opens ? 1 : closes ? -1 : 0;
                if (_depth == _skipTo)
                {
                    _skipTo = -1;
                }

                return;
            }

            if (_depth == 0)
            {
                if (type != JsonTokenType.StartObject)
                {
                    throw new SnapshotFileException($"{header.Name}: not a MemLens snapshot (the JSON is not an object)");
                }

                RootSeen = true;
                _depth = 1;
                return;
            }

            if (_depth == 1)
            {
                if (type == JsonTokenType.PropertyName)
                {
                    _property = reader.GetString();
                    return;
                }

                if (type == JsonTokenType.EndObject)
                {
                    _depth = 0;
                    return;
                }

                string property = _property!;
                _property = null;
                if (property == "types")
                {
                    if (type != JsonTokenType.StartArray)
                    {
                        throw Corrupt(header.Name, "\"types\" is missing or not an array");
                    }

                    header.TypesSeen = true;
                    _inTypes = true;
                    _depth = 2;
                    return;
                }

                if (opens)
                {
                    header.Set(property, type, default);
                    _skipTo = 1;
                    _depth = 2;
                    return;
                }

                header.Set(property, type, Scalar.From(ref reader));
                return;
            }

            if (_depth == 2 && _inTypes)
            {
                if (type == JsonTokenType.EndArray)
                {
                    _inTypes = false;
                    _depth = 1;
                    return;
                }

                if (type != JsonTokenType.StartObject)
                {
                    throw Corrupt(header.Name, "an entry of \"types\" is not an object");
                }

                _entryName = null;
                _entryCount = null;
                _entryBytes = null;
                _depth = 3;
                return;
            }

            if (_depth == 3)
            {
                if (type == JsonTokenType.PropertyName)
                {
                    _entryProperty = reader.GetString();
                    return;
                }

                if (type == JsonTokenType.EndObject)
                {
                    _depth = 2;
                    if (_entryName is null)
                    {
                        throw Corrupt(header.Name, "\"name\" is missing or not a string");
                    }

                    long count = _entryCount ?? throw Corrupt(header.Name, "\"count\" is missing or not an integer");
                    long bytes = _entryBytes ?? throw Corrupt(header.Name, "\"bytes\" is missing or not an integer");
                    header.AddEntry(count, bytes);
                    onType(_entryName, count, bytes);
                    return;
                }

                string property = _entryProperty!;
                _entryProperty = null;
                if (opens)
                {
                    if (property is "name" or "count" or "bytes")
                    {
                        throw Corrupt(header.Name, $"\"{property}\" is missing or not {(property == "name" ? "a string" : "an integer")}");
                    }

                    _skipTo = 3;
                    _depth = 4;
                    return;
                }

                switch (property)
                {
                    case "name":
                        _entryName = type == JsonTokenType.String ? reader.GetString() : throw Corrupt(header.Name, "\"name\" is missing or not a string");
                        break;
                    case "count":
                        _entryCount = NonNegative(ref reader, "count", header.Name, long.MaxValue);
                        break;
                    case "bytes":
                        _entryBytes = NonNegative(ref reader, "bytes", header.Name, long.MaxValue);
                        break;
                }

                return;
            }

            // A nested value the format does not have at this place (e.g. an object inside an array): skip it.
            _skipTo = _depth - (closes ? 1 : 0);
            _depth += opens ? 1 : closes ? -1 : 0;
            if (_depth == _skipTo)
            {
                _skipTo = -1;
            }
        }

        private static long NonNegative(ref Utf8JsonReader reader, string property, string name, long max)
        {
            if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt64(out long value))
            {
                throw Corrupt(name, $"\"{property}\" is missing or not an integer");
            }

            return value < 0 || value > max ? throw Corrupt(name, $"\"{property}\" is out of range ({value.ToString(CultureInfo.InvariantCulture)})") : value;
        }
    }

    /// <summary>One value of the root object, as read (the header's checks need its kind).</summary>
    internal readonly record struct Scalar(JsonTokenType Kind, string? Text, long? Integer, double? Real)
    {
        public static Scalar From(ref Utf8JsonReader reader) => reader.TokenType switch
        {
            JsonTokenType.String => new Scalar(JsonTokenType.String, reader.GetString(), null, null),
            JsonTokenType.Number => new Scalar(JsonTokenType.Number, null, reader.TryGetInt64(out long l) ? l : null, reader.TryGetDouble(out double d) ? d : null),
            _ => new Scalar(reader.TokenType, null, null, null),
        };
    }

    /// <summary>The longest single token (e.g. one type name) the reader takes.</summary>
    private const int MaxTokenBytes = 16 * 1024 * 1024;

    internal static long Add(long sum, long value, string name) =>
        sum > long.MaxValue - value ? throw Corrupt(name, "the totals overflow") : sum + value;

    internal static SnapshotFileException TooBig(string name) =>
        new($"{name}: larger than {MaxFileBytes / (1024 * 1024)} MiB, which no MemLens snapshot is; not read");

    internal static SnapshotFileException Corrupt(string name, string what) =>
        new($"{name}: corrupt MemLens snapshot: {what}");
}
