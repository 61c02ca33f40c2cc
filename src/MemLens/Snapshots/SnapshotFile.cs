using System.Globalization;
using System.Text.Json;

namespace MemLens.Snapshots;

/// <summary>
/// Saves and reads a <see cref="HeapSnapshot"/> as JSON (docs/snapshot-format.md). Written with
/// <see cref="Utf8JsonWriter"/> and read as a stream with <see cref="Utf8JsonReader"/>: no reflection, so it stays
/// trimming-safe, and no copy of the file in memory (<see cref="Scan(string, Action{string, long, long})"/> reads any file in bounded memory).
/// Reading is bounded (<see cref="MaxFileBytes"/>) and every problem is one <see cref="SnapshotFileException"/>.
/// </summary>
public static class SnapshotFile
{
    /// <summary>The value of the <c>format</c> field.</summary>
    public const string FormatName = "memlens-heap-snapshot";

    /// <summary>
    /// The highest version this code reads, and the one it writes for a snapshot with <see cref="HeapSnapshot.Retention"/>
    /// (a snapshot without it is written as <see cref="HistogramVersion"/>, which older readers still open). Adding fields
    /// keeps the version; changing or removing one bumps it.
    /// </summary>
    public const int Version = 2;

    /// <summary>The version written for a histogram-only snapshot (no <c>retention</c> object).</summary>
    public const int HistogramVersion = 1;

    /// <summary>Most nodes a file's <c>retention</c> tree may have (the tool keeps 20,000 by default); more is refused as corrupt.</summary>
    public const int MaxRetentionNodes = 1_000_000;

    /// <summary>Longest label (root name or type name) of a retention node, in characters; longer is refused as corrupt.</summary>
    public const int MaxLabelLength = 65_536;

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
            var retention = snapshot.Retention;
            w.WriteNumber("version", retention is null ? HistogramVersion : Version);
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
                if (retention is not null)
                {
                    w.WriteNumber("retained_bytes", retention.RetainedBytesByType.GetValueOrDefault(t.Name));
                }

                w.WriteEndObject();
            }

            w.WriteEndArray();
            if (retention is not null)
            {
                WriteRetention(w, retention);
            }

            w.WriteEndObject();
        }

        output.WriteByte((byte)'\n');
        output.Flush();
    }

    private static void WriteRetention(Utf8JsonWriter w, HeapRetention retention)
    {
        w.WriteStartObject("retention");
        w.WriteNumber("omitted_nodes", retention.OmittedNodes);
        w.WriteNumber("omitted_objects", retention.OmittedObjects);
        w.WriteNumber("omitted_bytes", retention.OmittedBytes);
        w.WriteNumber("unrooted_objects", retention.UnrootedObjects);
        w.WriteNumber("unrooted_bytes", retention.UnrootedBytes);
        w.WriteStartArray("nodes");
        foreach (var n in retention.Nodes)
        {
            w.WriteStartObject();
            w.WriteNumber("parent", n.Parent);
            w.WriteString("kind", n.Kind == RetentionNodeKind.Root ? "root" : "type");
            w.WriteString("label", n.Label);
            w.WriteNumber("count", n.Count);
            w.WriteNumber("bytes", n.Bytes);
            w.WriteNumber("retained_bytes", n.RetainedBytes);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    /// <summary>Reads the snapshot saved at <paramref name="path"/>.</summary>
    /// <exception cref="SnapshotFileException">The file is missing, unreadable, too big or not a valid snapshot.</exception>
    public static HeapSnapshot Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var types = new TypeCollector();
        return types.ToSnapshot(Scan(path, types.Add));
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
        ArgumentNullException.ThrowIfNull(onType);
        return Scan(path, (name, count, bytes, _) => onType(name, count, bytes));
    }

    /// <summary>
    /// <see cref="Scan(string, Action{string, long, long})"/> that also gives each entry's <c>retained_bytes</c> (null in
    /// a file without retention data). The retention tree itself, bounded by <see cref="MaxRetentionNodes"/>, is in the
    /// returned header's <see cref="SnapshotHeader.Retention"/>.
    /// </summary>
    /// <exception cref="SnapshotFileException">The file is missing, unreadable, too big or not a valid snapshot.</exception>
    public static SnapshotHeader Scan(string path, Action<string, long, long, long?> onType)
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
        var types = new TypeCollector();
        return types.ToSnapshot(ScanStream(input, name, types.Add));
    }

    /// <summary>Gathers the entries of a scan into a <see cref="HeapSnapshot"/>, with the retained bytes per type when the file has them.</summary>
    private sealed class TypeCollector
    {
        private readonly List<TypeStat> _types = [];
        private readonly Dictionary<string, long> _retained = new(StringComparer.Ordinal);

        public void Add(string name, long count, long bytes, long? retained)
        {
            _types.Add(new TypeStat(name, count, bytes));
            if (retained is { } r)
            {
                // The same name twice is one type, as for its count and bytes; capped rather than overflowing.
                _retained[name] = _retained.TryGetValue(name, out long sum) ? (sum > long.MaxValue - r ? long.MaxValue : sum + r) : r;
            }
        }

        public HeapSnapshot ToSnapshot(SnapshotHeader header) => header.ToSnapshot(_types, _retained);
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
    private static SnapshotHeader ScanStream(Stream stream, string name, Action<string, long, long, long?> onType)
    {
        var header = new SnapshotHeader(name);
        byte[] buffer = new byte[64 * 1024];
        int length = 0;
        long total = 0;
        bool final = false;
        bool bomChecked = false;
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

                if (!bomChecked)
                {
                    if (length < 3 && !final)
                    {
                        continue; // too little to tell yet
                    }

                    // A UTF-8 byte order mark (an editor may add one) is not JSON; Utf8JsonReader refuses it, so skip it.
                    bomChecked = true;
                    if (length >= 3 && buffer[0] == 0xEF && buffer[1] == 0xBB && buffer[2] == 0xBF)
                    {
                        Buffer.BlockCopy(buffer, 3, buffer, 0, length - 3);
                        length -= 3;
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

    /// <summary>
    /// Where the scanner is in the document; the JSON structure itself is checked by Utf8JsonReader. Depth 1 is the
    /// root object, 2 the <c>types</c> array or the <c>retention</c> object, 3 a type entry or the <c>nodes</c> array,
    /// 4 a retention node.
    /// </summary>
    private sealed class ScanState
    {
        private int _depth;
        private int _skipTo = -1; // skipping an unknown nested value until the depth is back to this
        private string? _property; // the root's property whose value comes next
        private bool _inTypes;
        private bool _inRetention;
        private bool _inNodes;
        private string? _entryProperty;
        private string? _entryName;
        private long? _entryCount;
        private long? _entryBytes;
        private long? _entryRetained;
        private long? _nodeParent;
        private RetentionNodeKind? _nodeKind;

        public bool RootSeen { get; private set; }

        public void Token(ref Utf8JsonReader reader, SnapshotHeader header, Action<string, long, long, long?> onType)
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
                RootToken(ref reader, header, type, opens);
                return;
            }

            if (_inTypes)
            {
                TypesToken(ref reader, header, onType, type, opens);
                return;
            }

            if (_inRetention)
            {
                RetentionToken(ref reader, header, type, opens);
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

        private void RootToken(ref Utf8JsonReader reader, SnapshotHeader header, JsonTokenType type, bool opens)
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

            if (property == "retention")
            {
                if (type == JsonTokenType.Null)
                {
                    return; // the same as no retention data
                }

                if (type != JsonTokenType.StartObject)
                {
                    throw Corrupt(header.Name, "\"retention\" is not an object");
                }

                header.StartRetention();
                _inRetention = true;
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
        }

        private void TypesToken(ref Utf8JsonReader reader, SnapshotHeader header, Action<string, long, long, long?> onType, JsonTokenType type, bool opens)
        {
            if (_depth == 2)
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
                _entryRetained = null;
                _depth = 3;
                return;
            }

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
                onType(_entryName, count, bytes, _entryRetained);
                return;
            }

            string property = _entryProperty!;
            _entryProperty = null;
            if (opens)
            {
                if (property is "name" or "count" or "bytes" or "retained_bytes")
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
                case "retained_bytes":
                    _entryRetained = NonNegative(ref reader, "retained_bytes", header.Name, long.MaxValue);
                    break;
            }
        }

        private void RetentionToken(ref Utf8JsonReader reader, SnapshotHeader header, JsonTokenType type, bool opens)
        {
            if (_depth == 2)
            {
                if (type == JsonTokenType.PropertyName)
                {
                    _entryProperty = reader.GetString();
                    return;
                }

                if (type == JsonTokenType.EndObject)
                {
                    _inRetention = false;
                    _depth = 1;
                    header.EndRetention();
                    return;
                }

                string property = _entryProperty!;
                _entryProperty = null;
                if (property == "nodes")
                {
                    if (type != JsonTokenType.StartArray)
                    {
                        throw Corrupt(header.Name, "\"retention.nodes\" is missing or not an array");
                    }

                    header.RetentionNodesSeen = true;
                    _inNodes = true;
                    _depth = 3;
                    return;
                }

                if (opens)
                {
                    if (property is "omitted_nodes" or "omitted_objects" or "omitted_bytes" or "unrooted_objects" or "unrooted_bytes")
                    {
                        throw Corrupt(header.Name, $"\"retention.{property}\" is not an integer");
                    }

                    _skipTo = 2;
                    _depth = 3;
                    return;
                }

                if (property is "omitted_nodes" or "omitted_objects" or "omitted_bytes" or "unrooted_objects" or "unrooted_bytes")
                {
                    header.SetRetentionCounter(property, NonNegative(ref reader, "retention." + property, header.Name, long.MaxValue));
                }

                return;
            }

            if (_depth == 3 && _inNodes)
            {
                if (type == JsonTokenType.EndArray)
                {
                    _inNodes = false;
                    _depth = 2;
                    return;
                }

                if (type != JsonTokenType.StartObject)
                {
                    throw Corrupt(header.Name, $"retention node {header.RetentionNodeCount}: not an object");
                }

                if (header.RetentionNodeCount >= MaxRetentionNodes)
                {
                    throw Corrupt(header.Name, $"the retention tree has more than {MaxRetentionNodes.ToString("N0", CultureInfo.InvariantCulture)} nodes");
                }

                _nodeParent = null;
                _nodeKind = null;
                _entryName = null;
                _entryCount = null;
                _entryBytes = null;
                _entryRetained = null;
                _depth = 4;
                return;
            }

            if (_depth != 4)
            {
                // Something other than "nodes" nested in "retention" that was not skipped cannot happen; be safe.
                throw Corrupt(header.Name, "\"retention\" is malformed");
            }

            int index = header.RetentionNodeCount;
            if (type == JsonTokenType.PropertyName)
            {
                _entryProperty = reader.GetString();
                return;
            }

            if (type == JsonTokenType.EndObject)
            {
                _depth = 3;
                long parent = _nodeParent ?? throw NodeCorrupt(header, index, "\"parent\" is missing or not an integer");
                var kind = _nodeKind ?? throw NodeCorrupt(header, index, "\"kind\" is missing");
                string label = _entryName ?? throw NodeCorrupt(header, index, "\"label\" is missing or not a string");
                long count = _entryCount ?? throw NodeCorrupt(header, index, "\"count\" is missing or not an integer");
                long bytes = _entryBytes ?? throw NodeCorrupt(header, index, "\"bytes\" is missing or not an integer");
                long retained = _entryRetained ?? throw NodeCorrupt(header, index, "\"retained_bytes\" is missing or not an integer");
                if ((parent == -1) != (kind == RetentionNodeKind.Root))
                {
                    throw NodeCorrupt(header, index, kind == RetentionNodeKind.Root ? "a root has a parent" : "a type node has no parent");
                }

                header.AddRetentionNode(new RetentionNode((int)parent, kind, label, count, bytes, retained));
                return;
            }

            string nodeProperty = _entryProperty!;
            _entryProperty = null;
            if (opens)
            {
                if (nodeProperty is "parent" or "kind" or "label" or "count" or "bytes" or "retained_bytes")
                {
                    throw NodeCorrupt(header, index, $"\"{nodeProperty}\" is not a {(nodeProperty is "kind" or "label" ? "string" : "number")}");
                }

                _skipTo = 4;
                _depth = 5;
                return;
            }

            switch (nodeProperty)
            {
                case "parent":
                    if (type != JsonTokenType.Number || !reader.TryGetInt64(out long p))
                    {
                        throw NodeCorrupt(header, index, "\"parent\" is missing or not an integer");
                    }

                    _nodeParent = p >= -1 && p < index ? p : throw NodeCorrupt(header, index, $"\"parent\" {p.ToString(CultureInfo.InvariantCulture)} is not -1 or an earlier node");
                    break;
                case "kind":
                    _nodeKind = (type == JsonTokenType.String ? reader.GetString() : null) switch
                    {
                        "root" => RetentionNodeKind.Root,
                        "type" => RetentionNodeKind.Type,
                        _ => throw NodeCorrupt(header, index, "\"kind\" is not \"root\" or \"type\""),
                    };
                    break;
                case "label":
                    _entryName = type == JsonTokenType.String ? reader.GetString() : throw NodeCorrupt(header, index, "\"label\" is missing or not a string");
                    if (_entryName!.Length > MaxLabelLength)
                    {
                        throw NodeCorrupt(header, index, $"\"label\" is longer than {MaxLabelLength.ToString("N0", CultureInfo.InvariantCulture)} characters");
                    }

                    break;
                case "count":
                    _entryCount = NonNegative(ref reader, "count", header.Name, long.MaxValue, index);
                    break;
                case "bytes":
                    _entryBytes = NonNegative(ref reader, "bytes", header.Name, long.MaxValue, index);
                    break;
                case "retained_bytes":
                    _entryRetained = NonNegative(ref reader, "retained_bytes", header.Name, long.MaxValue, index);
                    break;
            }
        }

        private static SnapshotFileException NodeCorrupt(SnapshotHeader header, int index, string what) =>
            Corrupt(header.Name, $"retention node {index.ToString(CultureInfo.InvariantCulture)}: {what}");

        private static long NonNegative(ref Utf8JsonReader reader, string property, string name, long max, int node = -1)
        {
            string where = node >= 0 ? $"retention node {node.ToString(CultureInfo.InvariantCulture)}: " : "";
            if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt64(out long value))
            {
                throw Corrupt(name, $"{where}\"{property}\" is missing or not an integer");
            }

            return value < 0 || value > max ? throw Corrupt(name, $"{where}\"{property}\" is out of range ({value.ToString(CultureInfo.InvariantCulture)})") : value;
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
