using System.IO.Compression;
using FsCheck;
using FsCheck.Fluent;
using MemLens.Diagnostics.Snapshots;
using MemLens.Pprof;
using MemLens.Snapshots;
using Xunit;

namespace MemLens.Diagnostics.Tests.Pprof;

/// <summary>
/// The exported file decoded by the parser generated from profile.proto (Profile.Parser over the gunzipped bytes),
/// checked against the snapshot it was written from: the sample types, and per type name its count and bytes.
/// </summary>
public class PprofExportGeneratedParserTests
{
    private static readonly Config s_config = Config.QuickThrowOnFailure.WithMaxTest(300);

    // Characters real .NET type names hold (generics, arrays, nesting, non-ASCII identifiers); valid UTF-16 only,
    // since a lone surrogate cannot round-trip through UTF-8 and no type name carries one.
    private static readonly char[] s_nameChars = "abcXYZ019._`+[],<> éΩ".ToCharArray();

    [Fact]
    public void Every_type_of_any_snapshot_is_one_sample_with_its_count_and_bytes_under_its_name()
    {
        var type =
            from name in Gen.ArrayOf(Gen.Elements(s_nameChars)).Select(c => new string(c))
            from count in Gen.Choose(0, int.MaxValue)
            from size in Gen.Choose(0, 1 << 20)
            select new TypeStat(name, count, (long)count * size);
        var snapshot =
            from types in Gen.ListOf(type).Select(ts => ts.DistinctBy(t => t.Name, StringComparer.Ordinal).ToArray())
            from pid in Gen.Choose(1, int.MaxValue)
            from takenAtMs in Gen.Choose(0, int.MaxValue)
            from truncated in ArbMap.Default.GeneratorFor<bool>()
            select new HeapSnapshot(pid, "app", takenAtMs * 1000L, types)
            {
                GcIndex = 3,
                Duration = TimeSpan.FromMilliseconds(takenAtMs % 10_000),
                Truncated = truncated,
                Note = truncated ? "stopped at the object cap" : null,
            };

        Check.One(s_config, Prop.ForAll(snapshot.ToArbitrary(), s =>
        {
            var p = Decode(Export(s));

            Assert.Equal("", p.StringTable[0]);
            Assert.Equal([("inuse_objects", "count"), ("inuse_space", "bytes")], p.SampleType.Select(t => (p.StringTable[(int)t.Type], p.StringTable[(int)t.Unit])));
            Assert.Equal("inuse_space", p.StringTable[(int)p.DefaultSampleType]);
            Assert.Equal(("space", "bytes"), (p.StringTable[(int)p.PeriodType.Type], p.StringTable[(int)p.PeriodType.Unit]));
            Assert.Equal(s.TakenAtMs * 1_000_000, p.TimeNanos);
            Assert.Equal(s.Duration.Ticks * 100, p.DurationNanos);
            string comment = p.StringTable[(int)Assert.Single(p.Comment)];
            Assert.Contains($"process {s.ProcessId} (app)", comment, StringComparison.Ordinal);
            Assert.Equal(s.Truncated, comment.Contains("truncated: stopped at the object cap", StringComparison.Ordinal));

            var functions = p.Function.ToDictionary(f => f.Id);
            var locations = p.Location.ToDictionary(l => l.Id);
            var byName = p.Sample.ToDictionary(
                sample => p.StringTable[(int)functions[Assert.Single(locations[Assert.Single(sample.LocationId)].Line).FunctionId].Name],
                sample => sample.Value.ToArray(),
                StringComparer.Ordinal);
            Assert.Equal(s.Types.Count, byName.Count);
            foreach (var t in s.Types)
            {
                Assert.Equal([t.Count, t.Bytes], byName[t.Name]);
            }
        }));
    }

    [Fact]
    public void The_encoded_file_is_the_profile_that_ToProfile_builds()
    {
        var s = new HeapSnapshot(7, "app", 1_700_000_000_000, [new("System.Byte[]", 10, 40_960), new("Shop.Order", 3, 96)]);

        Assert.Equal(PprofExport.ToProfile(s), Decode(Export(s)));
    }

    internal static byte[] Export(HeapSnapshot s)
    {
        using var file = new MemoryStream();
        PprofExport.Write(file, s);
        return file.ToArray();
    }

    private static Profile Decode(byte[] gzipped)
    {
        using var gz = new GZipStream(new MemoryStream(gzipped), CompressionMode.Decompress);
        using var raw = new MemoryStream();
        gz.CopyTo(raw);
        return Profile.Parser.ParseFrom(raw.ToArray());
    }
}
