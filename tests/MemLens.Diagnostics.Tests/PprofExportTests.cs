using System.IO.Compression;
using Google.Protobuf;
using MemLens.Diagnostics.Snapshots;
using MemLens.Snapshots;
using MemLens.Tests.Shared.Snapshots;
using Xunit;

namespace MemLens.Diagnostics.Tests;

/// <summary>Decodes the exported profile.proto with CodedInputStream, independently of the writer.</summary>
public class PprofExportTests
{
    [Fact]
    public void Profile_has_go_heap_sample_types_and_one_sample_per_type_named_by_its_function()
    {
        var snapshot = new HeapSnapshot(7, "app", 1_700_000_000_000, [new("System.Byte[]", 10, 40_960), new("Shop.Order", 3, 96)])
        {
            GcIndex = 5,
            Duration = TimeSpan.FromMilliseconds(250),
        };
        using var file = new MemoryStream();
        PprofExport.Write(file, snapshot);
        var p = Decode(file.ToArray());

        Assert.Equal("", p.Strings[0]);
        Assert.Equal([("inuse_objects", "count"), ("inuse_space", "bytes")], p.SampleTypes.Select(t => (p.Strings[(int)t.Type], p.Strings[(int)t.Unit])));
        Assert.Equal("inuse_space", p.Strings[(int)p.DefaultSampleType]);
        Assert.Equal(1_700_000_000_000L * 1_000_000, p.TimeNanos);
        Assert.Equal(250_000_000L, p.DurationNanos);

        var byName = p.Samples.ToDictionary(s =>
        {
            var location = Assert.Single(s.LocationIds);
            var function = Assert.Single(p.Locations[location]);
            return p.Strings[(int)p.Functions[function]];
        }, s => s.Values);
        Assert.Equal(2, byName.Count);
        Assert.Equal([10L, 40_960L], byName["System.Byte[]"]);
        Assert.Equal([3L, 96L], byName["Shop.Order"]);
    }

    [Fact]
    public void With_retention_each_tree_node_is_a_sample_whose_stack_is_its_path_leaf_first_and_leaves_sum_to_the_histogram()
    {
        var snapshot = RetentionSnapshots.EventLeak(sessions: 7, cached: 3);
        var p = Export(snapshot);
        string Name(ulong location) => p.Strings[(int)p.Functions[Assert.Single(p.Locations[location])]];
        var stacks = p.Samples.Select(s => (Frames: s.LocationIds.Select(Name).ToList(), s.Values)).ToList();

        var session = Assert.Single(stacks, s => s.Frames[0] == RetentionSnapshots.SessionType);
        Assert.Equal([RetentionSnapshots.SessionType, "System.Object[]", "System.EventHandler", RetentionSnapshots.EventRoot], session.Frames);
        Assert.Equal([7L, 7 * 48L], session.Values);
        // One function per distinct label: the root frame is a function named after the root.
        Assert.Equal(p.Functions.Count, p.Functions.Values.Distinct().Count());
        Assert.Contains(p.Functions.Values, f => p.Strings[(int)f] == RetentionSnapshots.EventRoot);

        // Flat figures by leaf equal the histogram, type by type (the unrooted Byte[] included).
        var byLeaf = stacks.GroupBy(s => s.Frames[0]).ToDictionary(g => g.Key, g => (g.Sum(s => s.Values[0]), g.Sum(s => s.Values[1])));
        Assert.Equal(snapshot.Types.ToDictionary(t => t.Name, t => (t.Count, t.Bytes)), byLeaf);
        Assert.DoesNotContain(stacks, s => s.Frames.Contains(PprofExport.PathsNotKept));
    }

    [Fact]
    public void Objects_on_paths_the_tree_left_out_are_one_sample_per_type_under_paths_not_kept()
    {
        var snapshot = RetentionSnapshots.EventLeak(sessions: 7, cached: 3, maxNodes: 3);
        Assert.True(snapshot.Retention!.OmittedObjects > 0);
        var p = Export(snapshot);
        string Name(ulong location) => p.Strings[(int)p.Functions[Assert.Single(p.Locations[location])]];
        var stacks = p.Samples.Select(s => (Frames: s.LocationIds.Select(Name).ToList(), s.Values)).ToList();

        var notKept = stacks.Where(s => s.Frames.Contains(PprofExport.PathsNotKept)).ToList();
        Assert.NotEmpty(notKept);
        Assert.All(notKept, s => Assert.Equal(2, s.Frames.Count));
        Assert.Equal(snapshot.Retention.OmittedObjects, notKept.Sum(s => s.Values[0]));
        Assert.Equal(snapshot.Retention.OmittedBytes, notKept.Sum(s => s.Values[1]));
        var byLeaf = stacks.GroupBy(s => s.Frames[0]).ToDictionary(g => g.Key, g => (g.Sum(s => s.Values[0]), g.Sum(s => s.Values[1])));
        Assert.Equal(snapshot.Types.ToDictionary(t => t.Name, t => (t.Count, t.Bytes)), byLeaf);
    }

    [Fact]
    public void A_path_deeper_than_the_limit_keeps_its_root_and_leaf_and_says_how_many_steps_were_left_out()
    {
        // A chain of 300 distinct types under one root.
        var nodes = new List<RetentionNode> { new(-1, RetentionNodeKind.Root, "static Deep.Root", 1, 0, 300) };
        for (int i = 0; i < 300; i++)
        {
            nodes.Add(new RetentionNode(i, RetentionNodeKind.Type, $"T{i}", 1, 1, 300 - i));
        }

        var snapshot = new HeapSnapshot(1, "p", 0, Enumerable.Range(0, 300).Select(i => new TypeStat($"T{i}", 1, 1)))
        {
            Retention = new HeapRetention(nodes, new Dictionary<string, long>()),
        };
        var p = Export(snapshot);
        string Name(ulong location) => p.Strings[(int)p.Functions[Assert.Single(p.Locations[location])]];
        var deepest = p.Samples.Select(s => s.LocationIds.Select(Name).ToList()).Single(f => f[0] == "T299");
        Assert.Equal(PprofExport.MaxStackDepth, deepest.Count);
        Assert.Equal("static Deep.Root", deepest[^1]);
        Assert.Equal($"[{301 - PprofExport.MaxStackDepth + 1} steps left out]", deepest[^2]);
        Assert.Equal("T298", deepest[1]);
    }

    [Fact]
    public void Past_the_total_frame_budget_stacks_are_cut_to_root_gap_and_leaf()
    {
        var nodes = new List<RetentionNode> { new(-1, RetentionNodeKind.Root, "static Deep.Root", 1, 0, 300) };
        for (int i = 0; i < 300; i++)
        {
            nodes.Add(new RetentionNode(i, RetentionNodeKind.Type, $"T{i}", 1, 1, 300 - i));
        }

        var snapshot = new HeapSnapshot(1, "p", 0, Enumerable.Range(0, 300).Select(i => new TypeStat($"T{i}", 1, 1)))
        {
            Retention = new HeapRetention(nodes, new Dictionary<string, long>()),
        };
        var profile = PprofExport.ToProfile(snapshot, maxTotalFrames: 1000);
        string Name(ulong location) => profile.StringTable[(int)profile.Function.Single(f => f.Id == profile.Location.Single(l => l.Id == location).Line[0].FunctionId).Name];
        Assert.True(profile.Sample.Sum(x => x.LocationId.Count) <= 1000 + (3 * 300));
        var last = profile.Sample.Select(x => x.LocationId.Select(Name).ToList()).Single(f => f[0] == "T299");
        Assert.Equal(["T299", "[299 steps left out]", "static Deep.Root"], last);
        Assert.Equal(300, profile.Sample.Count); // every node still a sample, the flat figures unchanged
    }

    private static Profile Export(HeapSnapshot snapshot)
    {
        using var file = new MemoryStream();
        PprofExport.Write(file, snapshot);
        return Decode(file.ToArray());
    }

    private sealed record ValueType(long Type, long Unit);

    private sealed record Sample(List<ulong> LocationIds, List<long> Values);

    private sealed class Profile
    {
        public List<string> Strings { get; } = [];

        public List<ValueType> SampleTypes { get; } = [];

        public List<Sample> Samples { get; } = [];

        public Dictionary<ulong, List<ulong>> Locations { get; } = [];

        public Dictionary<ulong, long> Functions { get; } = [];

        public long DefaultSampleType { get; set; }

        public long TimeNanos { get; set; }

        public long DurationNanos { get; set; }
    }

    private static Profile Decode(byte[] gzipped)
    {
        using var gz = new GZipStream(new MemoryStream(gzipped), CompressionMode.Decompress);
        using var raw = new MemoryStream();
        gz.CopyTo(raw);
        var input = new CodedInputStream(raw.ToArray());
        var p = new Profile();
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case 1:
                    p.SampleTypes.Add(ReadValueType(input.ReadBytes()));
                    break;
                case 2:
                    p.Samples.Add(ReadSample(input.ReadBytes()));
                    break;
                case 4:
                    ReadLocation(input.ReadBytes(), p);
                    break;
                case 5:
                    ReadFunction(input.ReadBytes(), p);
                    break;
                case 6:
                    p.Strings.Add(input.ReadString());
                    break;
                case 9:
                    p.TimeNanos = input.ReadInt64();
                    break;
                case 10:
                    p.DurationNanos = input.ReadInt64();
                    break;
                case 14:
                    p.DefaultSampleType = input.ReadInt64();
                    break;
                default:
                    input.SkipLastField();
                    break;
            }
        }

        return p;
    }

    private static ValueType ReadValueType(ByteString bytes)
    {
        var m = bytes.CreateCodedInput();
        long type = 0, unit = 0;
        uint tag;
        while ((tag = m.ReadTag()) != 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case 1: type = m.ReadInt64(); break;
                case 2: unit = m.ReadInt64(); break;
                default: m.SkipLastField(); break;
            }
        }

        return new ValueType(type, unit);
    }

    private static Sample ReadSample(ByteString bytes)
    {
        var m = bytes.CreateCodedInput();
        var s = new Sample([], []);
        uint tag;
        while ((tag = m.ReadTag()) != 0)
        {
            int field = WireFormat.GetTagFieldNumber(tag);
            Assert.Equal(WireFormat.WireType.LengthDelimited, WireFormat.GetTagWireType(tag)); // packed
            var packed = m.ReadBytes().CreateCodedInput();
            while (!packed.IsAtEnd)
            {
                if (field == 1)
                {
                    s.LocationIds.Add(packed.ReadUInt64());
                }
                else
                {
                    s.Values.Add(packed.ReadInt64());
                }
            }
        }

        return s;
    }

    private static void ReadLocation(ByteString bytes, Profile p)
    {
        var m = bytes.CreateCodedInput();
        ulong id = 0;
        var functions = new List<ulong>();
        uint tag;
        while ((tag = m.ReadTag()) != 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case 1: id = m.ReadUInt64(); break;
                case 4:
                    var line = m.ReadBytes().CreateCodedInput();
                    uint lineTag;
                    while ((lineTag = line.ReadTag()) != 0)
                    {
                        if (WireFormat.GetTagFieldNumber(lineTag) == 1)
                        {
                            functions.Add(line.ReadUInt64());
                        }
                        else
                        {
                            line.SkipLastField();
                        }
                    }

                    break;
                default: m.SkipLastField(); break;
            }
        }

        p.Locations[id] = functions;
    }

    private static void ReadFunction(ByteString bytes, Profile p)
    {
        var m = bytes.CreateCodedInput();
        ulong id = 0;
        long name = 0;
        uint tag;
        while ((tag = m.ReadTag()) != 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case 1: id = m.ReadUInt64(); break;
                case 2: name = m.ReadInt64(); break;
                default: m.SkipLastField(); break;
            }
        }

        p.Functions[id] = name;
    }
}
