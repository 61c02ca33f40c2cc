using System.IO.Compression;
using Google.Protobuf;
using MemLens.Pprof;
using MemLens.Snapshots;

namespace MemLens.Diagnostics.Snapshots;

/// <summary>
/// Writes a heap snapshot as a pprof profile (profile.proto, gzip-compressed), which <c>go tool pprof</c> and
/// other pprof viewers read. Shaped like a Go heap profile: two sample types, <c>inuse_objects/count</c> and
/// <c>inuse_space/bytes</c> (the default). Without retention data, one sample per type whose only frame is a
/// function named after the type. With it, one sample per type node of the retention tree whose stack is the
/// node's path: the root (<c>static Hub.Changed</c>) outermost, the dominating types, the node's type as the leaf;
/// so a flame graph is a retention view, while <c>pprof -top</c>'s flat figures (by leaf) are still per type and
/// equal the histogram: objects on paths the tree left out get one sample <c>[paths not kept] → type</c>.
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
    /// <param name="snapshot">The snapshot.</param>
    /// <param name="maxTotalFrames">Frames of all stacks together before stacks are cut to root, gap and leaf (see <see cref="MaxTotalFrames"/>).</param>
    internal static Profile ToProfile(HeapSnapshot snapshot, long maxTotalFrames = MaxTotalFrames)
    {
        var strings = new PprofStringTable();
        var profile = new Profile();
        profile.SampleType.Add(new Pprof.ValueType { Type = strings.Index("inuse_objects"), Unit = strings.Index("count") });
        profile.SampleType.Add(new Pprof.ValueType { Type = strings.Index("inuse_space"), Unit = strings.Index("bytes") });

        var frames = new Frames(profile, strings);
        if (snapshot.Retention is { } retention)
        {
            AddRetentionSamples(profile, frames, snapshot, retention, maxTotalFrames);
        }
        else
        {
            foreach (var t in snapshot.Types)
            {
                profile.Sample.Add(new Sample { LocationId = { frames.Of(t.Name) }, Value = { t.Count, t.Bytes } });
            }
        }

        profile.TimeNanos = snapshot.TakenAtMs * 1_000_000;
        profile.DurationNanos = snapshot.Duration.Ticks * 100;
        profile.PeriodType = new Pprof.ValueType { Type = strings.Index("space"), Unit = strings.Index("bytes") };
        profile.Period = 1;
        profile.Comment.Add(strings.Index(
            $"MemLens heap snapshot of process {snapshot.ProcessId} ({snapshot.ProcessName}), GC {snapshot.GcIndex}" +
            (snapshot.RuntimeVersion is { } v ? $", .NET {v}" : "") + (snapshot.Truncated ? ", truncated: " + snapshot.Note : "")));
        if (snapshot.Retention is not null)
        {
            profile.Comment.Add(strings.Index("Stacks are retention paths: the root outermost, then the types that dominate the objects; the leaf is the objects' type."));
        }

        profile.DefaultSampleType = strings.Index("inuse_space");
        profile.StringTable.AddRange(strings.All); // last: every index used above is already in it
        return profile;
    }

    /// <summary>Frame label of the sample that holds a type's objects on no kept retention path.</summary>
    public const string PathsNotKept = "[paths not kept]";

    /// <summary>
    /// Most frames of one stack: a deeper path keeps its root, a frame saying how many steps were left out, and the
    /// steps nearest the leaf, so the profile stays bounded (nodes × this) whatever the tree's depth.
    /// </summary>
    public const int MaxStackDepth = 128;

    /// <summary>
    /// Frames of all stacks together (8 bytes each in memory) before every further stack is cut to its root, a gap
    /// frame and its leaf: a tree the tool writes (20,000 nodes) stays far below it, and a hostile file's deep
    /// 1,000,000-node tree cannot make the profile grow past ~100 MB.
    /// </summary>
    public const long MaxTotalFrames = 8_000_000;

    private static void AddRetentionSamples(Profile profile, Frames frames, HeapSnapshot snapshot, HeapRetention retention, long maxTotalFrames)
    {
        long totalFrames = 0;
        var nodes = retention.Nodes;
        var covered = new Dictionary<string, (long Count, long Bytes)>(StringComparer.Ordinal);
        var path = new List<int>();
        for (int i = 0; i < nodes.Count; i++)
        {
            var node = nodes[i];
            if (node.Kind != RetentionNodeKind.Type)
            {
                continue;
            }

            covered.TryGetValue(node.Label, out var c);
            covered[node.Label] = (c.Count + node.Count, c.Bytes + node.Bytes);

            // pprof lists a stack leaf first: the node, its parent, … the root.
            path.Clear();
            for (int n = i; n >= 0; n = nodes[n].Parent)
            {
                path.Add(n);
            }

            var sample = new Sample { Value = { node.Count, node.Bytes } };
            int depth = totalFrames + Math.Min(path.Count, MaxStackDepth) <= maxTotalFrames ? MaxStackDepth : 3;
            if (path.Count <= depth)
            {
                foreach (int n in path)
                {
                    sample.LocationId.Add(frames.Of(nodes[n].Label));
                }
            }
            else
            {
                for (int k = 0; k < depth - 2; k++)
                {
                    sample.LocationId.Add(frames.Of(nodes[path[k]].Label));
                }

                sample.LocationId.Add(frames.Of($"[{path.Count - depth + 1} steps left out]"));
                sample.LocationId.Add(frames.Of(nodes[path[^1]].Label));
            }

            totalFrames += sample.LocationId.Count;
            profile.Sample.Add(sample);
        }

        // What the kept nodes do not cover, so that the flat figures per type equal the histogram.
        foreach (var t in snapshot.Types)
        {
            covered.TryGetValue(t.Name, out var c);
            long count = t.Count - c.Count, bytes = t.Bytes - c.Bytes;
            if (count != 0 || bytes != 0)
            {
                profile.Sample.Add(new Sample { LocationId = { frames.Of(t.Name), frames.Of(PathsNotKept) }, Value = { count, bytes } });
            }
        }
    }

    /// <summary>One function, and one location calling it, per distinct frame label; ids from 1 (0 means "none" in profile.proto).</summary>
    private sealed class Frames(Profile profile, PprofStringTable strings)
    {
        private readonly Dictionary<string, ulong> _ids = new(StringComparer.Ordinal);

        public ulong Of(string label)
        {
            if (!_ids.TryGetValue(label, out ulong id))
            {
                id = (ulong)_ids.Count + 1;
                _ids.Add(label, id);
                long name = strings.Index(label);
                profile.Location.Add(new Location { Id = id, Line = { new Line { FunctionId = id } } });
                profile.Function.Add(new Function { Id = id, Name = name, SystemName = name });
            }

            return id;
        }
    }
}
