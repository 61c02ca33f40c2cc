using System.IO.Compression;
using Google.Protobuf;
using MemLens.Diagnostics.Snapshots;
using MemLens.Snapshots;
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
