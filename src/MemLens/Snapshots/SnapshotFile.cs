using System.Globalization;
using System.Text.Json;

namespace MemLens.Snapshots;

/// <summary>
/// Saves and reads a <see cref="HeapSnapshot"/> as JSON (docs/snapshot-format.md). Written with
/// <see cref="Utf8JsonWriter"/> and read with <see cref="JsonDocument"/>: no reflection, so it stays trimming-safe.
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
        byte[] bytes;
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
            bytes = ReadBounded(stream, path);
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
            throw new SnapshotFileException($"{path}: permission denied");
        }
        catch (IOException ex)
        {
            throw new SnapshotFileException($"{path}: cannot read it: {ex.Message.ReplaceLineEndings(" ")}", ex);
        }

        return Parse(bytes, path);
    }

    /// <summary>Reads a snapshot from <paramref name="input"/> (at most <see cref="MaxFileBytes"/>); <paramref name="name"/> names it in errors.</summary>
    /// <exception cref="SnapshotFileException">The content is too big or not a valid snapshot.</exception>
    public static HeapSnapshot Read(Stream input, string name)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(name);
        return Parse(ReadBounded(input, name), name);
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

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 8 });
        }
        catch (JsonException ex)
        {
            throw new SnapshotFileException($"{name}: not a MemLens snapshot: invalid or truncated JSON ({ex.Message.ReplaceLineEndings(" ")})", ex);
        }

        using (document)
        {
            try
            {
                return FromJson(document.RootElement, name);
            }
            catch (InvalidOperationException ex)
            {
                // JsonElement's getters throw this for a value of the wrong kind.
                throw Corrupt(name, ex.Message.ReplaceLineEndings(" "));
            }
            catch (FormatException ex)
            {
                throw Corrupt(name, ex.Message.ReplaceLineEndings(" "));
            }
        }
    }

    private static HeapSnapshot FromJson(JsonElement root, string name)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new SnapshotFileException($"{name}: not a MemLens snapshot (the JSON is not an object)");
        }

        if (!root.TryGetProperty("format", out var format) || format.ValueKind != JsonValueKind.String || format.GetString() != FormatName)
        {
            throw new SnapshotFileException($"{name}: not a MemLens snapshot (no \"format\": \"{FormatName}\")");
        }

        int version = root.TryGetProperty("version", out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out int n) ? n : -1;
        if (version < 1)
        {
            throw Corrupt(name, "\"version\" is missing or not a positive integer");
        }

        if (version > Version)
        {
            throw new SnapshotFileException($"{name}: snapshot format version {version} is newer than this MemLens reads ({Version}); update MemLens");
        }

        int pid = (int)RequiredInt64(root, "process_id", name, int.MaxValue);
        string processName = RequiredString(root, "process_name", name);
        long takenAtMs = RequiredInt64(root, "taken_at_ms", name, 253402300799999); // up to year 9999
        double durationMs = root.TryGetProperty("duration_ms", out var d) && d.ValueKind == JsonValueKind.Number ? d.GetDouble() : 0;
        if (durationMs < 0 || durationMs > TimeSpan.MaxValue.TotalMilliseconds / 2)
        {
            throw Corrupt(name, "\"duration_ms\" is out of range");
        }

        if (!root.TryGetProperty("types", out var types) || types.ValueKind != JsonValueKind.Array)
        {
            throw Corrupt(name, "\"types\" is missing or not an array");
        }

        var stats = new List<TypeStat>(types.GetArrayLength());
        long totalObjects = 0;
        long totalBytes = 0;
        foreach (var t in types.EnumerateArray())
        {
            if (t.ValueKind != JsonValueKind.Object)
            {
                throw Corrupt(name, "an entry of \"types\" is not an object");
            }

            var stat = new TypeStat(RequiredString(t, "name", name), RequiredInt64(t, "count", name, long.MaxValue), RequiredInt64(t, "bytes", name, long.MaxValue));
            totalObjects = Add(totalObjects, stat.Count, name);
            totalBytes = Add(totalBytes, stat.Bytes, name);
            stats.Add(stat);
        }

        // The totals are redundant on purpose: they catch a file whose list was cut or edited.
        if (root.TryGetProperty("total_objects", out _) && RequiredInt64(root, "total_objects", name, long.MaxValue) != totalObjects)
        {
            throw Corrupt(name, "\"total_objects\" does not match the sum of the types' counts");
        }

        if (root.TryGetProperty("total_bytes", out _) && RequiredInt64(root, "total_bytes", name, long.MaxValue) != totalBytes)
        {
            throw Corrupt(name, "\"total_bytes\" does not match the sum of the types' bytes");
        }

        return new HeapSnapshot(pid, processName, takenAtMs, stats)
        {
            Id = OptionalString(root, "id", name) ?? "",
            Duration = TimeSpan.FromMilliseconds(durationMs),
            GcIndex = root.TryGetProperty("gc_index", out _) ? RequiredInt64(root, "gc_index", name, long.MaxValue) : 0,
            RuntimeVersion = OptionalString(root, "runtime_version", name),
            Truncated = root.TryGetProperty("truncated", out var tr) && tr.ValueKind switch
            {
                JsonValueKind.True => true,
                JsonValueKind.False => false,
                _ => throw Corrupt(name, "\"truncated\" is not true or false"),
            },
            Note = OptionalString(root, "note", name),
        };
    }

    private static long Add(long sum, long value, string name) =>
        sum > long.MaxValue - value ? throw Corrupt(name, "the totals overflow") : sum + value;

    private static long RequiredInt64(JsonElement e, string property, string name, long max)
    {
        if (!e.TryGetProperty(property, out var p) || p.ValueKind != JsonValueKind.Number || !p.TryGetInt64(out long value))
        {
            throw Corrupt(name, $"\"{property}\" is missing or not an integer");
        }

        if (value < 0 || value > max)
        {
            throw Corrupt(name, $"\"{property}\" is out of range ({value.ToString(CultureInfo.InvariantCulture)})");
        }

        return value;
    }

    private static string RequiredString(JsonElement e, string property, string name) =>
        e.TryGetProperty(property, out var p) && p.ValueKind == JsonValueKind.String
            ? p.GetString()!
            : throw Corrupt(name, $"\"{property}\" is missing or not a string");

    private static string? OptionalString(JsonElement e, string property, string name)
    {
        if (!e.TryGetProperty(property, out var p) || p.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return p.ValueKind == JsonValueKind.String ? p.GetString() : throw Corrupt(name, $"\"{property}\" is not a string");
    }

    private static byte[] ReadBounded(Stream stream, string name)
    {
        if (stream.CanSeek && stream.Length - stream.Position > MaxFileBytes)
        {
            throw TooBig(name);
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = stream.Read(chunk, 0, chunk.Length)) > 0)
        {
            if (buffer.Length + read > MaxFileBytes)
            {
                throw TooBig(name);
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    private static SnapshotFileException TooBig(string name) =>
        new($"{name}: larger than {MaxFileBytes / (1024 * 1024)} MiB, which no MemLens snapshot is; not read");

    private static SnapshotFileException Corrupt(string name, string what) =>
        new($"{name}: corrupt MemLens snapshot: {what}");
}
