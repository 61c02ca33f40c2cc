using System.IO.Compression;
using Google.Protobuf;
using MemLens.Snapshots;

namespace MemLens.Diagnostics.Snapshots;

/// <summary>
/// Writes a heap snapshot as a pprof profile (profile.proto, gzip-compressed), which <c>go tool pprof</c> and
/// other pprof viewers read. Shaped like a Go heap profile: two sample types, <c>inuse_objects/count</c> and
/// <c>inuse_space/bytes</c> (the default), and one sample per type whose only frame is a function named after
/// the type, so <c>pprof -top</c> lists types by bytes.
/// </summary>
/// <remarks>
/// No package on the registry carries generated pprof types, so the few messages are written by hand with
/// <see cref="CodedOutputStream"/>. Field numbers used, from github.com/google/pprof/proto/profile.proto:
/// Profile: sample_type = 1, sample = 2, location = 4, function = 5, string_table = 6, time_nanos = 9,
/// duration_nanos = 10, period_type = 11, period = 12, comment = 13, default_sample_type = 14.
/// ValueType: type = 1, unit = 2. Sample: location_id = 1 (packed), value = 2 (packed).
/// Location: id = 1, line = 4. Line: function_id = 1. Function: id = 1, name = 2, system_name = 3.
/// </remarks>
public static class PprofExport
{
    /// <summary>Writes <paramref name="snapshot"/> to the file <paramref name="path"/> (replaced if it exists).</summary>
    public static void Write(string path, HeapSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None);
        Write(file, snapshot);
    }

    /// <summary>Writes <paramref name="snapshot"/> as a gzip-compressed profile.proto to <paramref name="output"/> (left open).</summary>
    public static void Write(Stream output, HeapSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(snapshot);
        using var gzip = new GZipStream(output, CompressionLevel.Optimal, leaveOpen: true);
        var profile = new CodedOutputStream(gzip, leaveOpen: true);
        var strings = new StringTable();

        WriteMessage(profile, 1, m => WriteValueType(m, strings.Index("inuse_objects"), strings.Index("count")));
        WriteMessage(profile, 1, m => WriteValueType(m, strings.Index("inuse_space"), strings.Index("bytes")));

        // Ids start at 1 (0 means "none" in profile.proto); type i has location i+1 and function i+1.
        for (int i = 0; i < snapshot.Types.Count; i++)
        {
            var t = snapshot.Types[i];
            ulong id = (ulong)i + 1;
            WriteMessage(profile, 2, m =>
            {
                WritePacked(m, 1, [id]);
                WritePacked(m, 2, [(ulong)t.Count, (ulong)t.Bytes]);
            });
        }

        for (int i = 0; i < snapshot.Types.Count; i++)
        {
            ulong id = (ulong)i + 1;
            WriteMessage(profile, 4, m =>
            {
                m.WriteTag(1, WireFormat.WireType.Varint);
                m.WriteUInt64(id);
                WriteMessage(m, 4, line =>
                {
                    line.WriteTag(1, WireFormat.WireType.Varint);
                    line.WriteUInt64(id);
                });
            });
        }

        for (int i = 0; i < snapshot.Types.Count; i++)
        {
            ulong id = (ulong)i + 1;
            long name = strings.Index(snapshot.Types[i].Name);
            WriteMessage(profile, 5, m =>
            {
                m.WriteTag(1, WireFormat.WireType.Varint);
                m.WriteUInt64(id);
                m.WriteTag(2, WireFormat.WireType.Varint);
                m.WriteInt64(name);
                m.WriteTag(3, WireFormat.WireType.Varint);
                m.WriteInt64(name);
            });
        }

        long comment = strings.Index(
            $"MemLens heap snapshot of process {snapshot.ProcessId} ({snapshot.ProcessName}), GC {snapshot.GcIndex}" +
            (snapshot.RuntimeVersion is { } v ? $", .NET {v}" : "") + (snapshot.Truncated ? ", truncated: " + snapshot.Note : ""));
        long space = strings.Index("space");
        long bytes = strings.Index("bytes");

        // The string table must come complete; every index used above is already in it.
        foreach (var s in strings.All)
        {
            profile.WriteTag(6, WireFormat.WireType.LengthDelimited);
            profile.WriteString(s);
        }

        profile.WriteTag(9, WireFormat.WireType.Varint);
        profile.WriteInt64(snapshot.TakenAtMs * 1_000_000);
        profile.WriteTag(10, WireFormat.WireType.Varint);
        profile.WriteInt64(snapshot.Duration.Ticks * 100);
        WriteMessage(profile, 11, m => WriteValueType(m, space, bytes));
        profile.WriteTag(12, WireFormat.WireType.Varint);
        profile.WriteInt64(1);
        profile.WriteTag(13, WireFormat.WireType.Varint);
        profile.WriteInt64(comment);
        profile.WriteTag(14, WireFormat.WireType.Varint);
        profile.WriteInt64(strings.Index("inuse_space"));
        profile.Flush();
    }

    private static void WriteValueType(CodedOutputStream m, long type, long unit)
    {
        m.WriteTag(1, WireFormat.WireType.Varint);
        m.WriteInt64(type);
        m.WriteTag(2, WireFormat.WireType.Varint);
        m.WriteInt64(unit);
    }

    private static void WritePacked(CodedOutputStream m, int field, ulong[] values)
    {
        int length = 0;
        foreach (var v in values)
        {
            length += CodedOutputStream.ComputeUInt64Size(v);
        }

        m.WriteTag(field, WireFormat.WireType.LengthDelimited);
        m.WriteLength(length);
        foreach (var v in values)
        {
            m.WriteUInt64(v);
        }
    }

    /// <summary>Writes a nested message: built in a buffer first, since its length prefix comes before it.</summary>
    private static void WriteMessage(CodedOutputStream output, int field, Action<CodedOutputStream> body)
    {
        using var buffer = new MemoryStream();
        using (var nested = new CodedOutputStream(buffer, leaveOpen: true))
        {
            body(nested);
        }

        output.WriteTag(field, WireFormat.WireType.LengthDelimited);
        output.WriteBytes(ByteString.CopyFrom(buffer.GetBuffer(), 0, (int)buffer.Length)); // length, then the bytes
    }

    private sealed class StringTable
    {
        private readonly Dictionary<string, long> _index = new(StringComparer.Ordinal) { [""] = 0 };
        private readonly List<string> _all = [""];

        public IReadOnlyList<string> All => _all;

        public long Index(string s)
        {
            if (!_index.TryGetValue(s, out long i))
            {
                i = _all.Count;
                _index[s] = i;
                _all.Add(s);
            }

            return i;
        }
    }
}
