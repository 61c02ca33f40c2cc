using System.IO.Compression;
using Google.Protobuf;
using MemLens.Pprof;
using MemLens.Snapshots;

namespace MemLens.Diagnostics.Snapshots;

/// <summary>
/// Writes a heap snapshot as a pprof profile (profile.proto, gzip-compressed), which <c>go tool pprof</c> and
/// other pprof viewers read. Shaped like a Go heap profile: two sample types, <c>inuse_objects/count</c> and
/// <c>inuse_space/bytes</c> (the default), and one sample per type whose only frame is a function named after
/// the type, so <c>pprof -top</c> lists types by bytes.
/// </summary>
/// <remarks>
/// The messages are the types generated at build time from Pprof/profile.proto (namespace
/// <c>MemLens.Pprof</c>); the whole profile is built in memory, one location and function per type, which is
/// small beside the snapshot that holds the same types.
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
        var profile = ToProfile(snapshot);
        using var gzip = new GZipStream(output, CompressionLevel.Optimal, leaveOpen: true);
        profile.WriteTo(gzip);
    }

    /// <summary>The profile that <see cref="Write(Stream, HeapSnapshot)"/> writes, before encoding.</summary>
    internal static Profile ToProfile(HeapSnapshot snapshot)
    {
        var strings = new PprofStringTable();
        var profile = new Profile();
        profile.SampleType.Add(new Pprof.ValueType { Type = strings.Index("inuse_objects"), Unit = strings.Index("count") });
        profile.SampleType.Add(new Pprof.ValueType { Type = strings.Index("inuse_space"), Unit = strings.Index("bytes") });

        // Ids start at 1 (0 means "none" in profile.proto); type i has location i+1 and function i+1.
        for (int i = 0; i < snapshot.Types.Count; i++)
        {
            var t = snapshot.Types[i];
            ulong id = (ulong)i + 1;
            long name = strings.Index(t.Name);
            profile.Sample.Add(new Sample { LocationId = { id }, Value = { t.Count, t.Bytes } });
            profile.Location.Add(new Location { Id = id, Line = { new Line { FunctionId = id } } });
            profile.Function.Add(new Function { Id = id, Name = name, SystemName = name });
        }

        profile.TimeNanos = snapshot.TakenAtMs * 1_000_000;
        profile.DurationNanos = snapshot.Duration.Ticks * 100;
        profile.PeriodType = new Pprof.ValueType { Type = strings.Index("space"), Unit = strings.Index("bytes") };
        profile.Period = 1;
        profile.Comment.Add(strings.Index(
            $"MemLens heap snapshot of process {snapshot.ProcessId} ({snapshot.ProcessName}), GC {snapshot.GcIndex}" +
            (snapshot.RuntimeVersion is { } v ? $", .NET {v}" : "") + (snapshot.Truncated ? ", truncated: " + snapshot.Note : "")));
        profile.DefaultSampleType = strings.Index("inuse_space");
        profile.StringTable.AddRange(strings.All); // last: every index used above is already in it
        return profile;
    }
}
