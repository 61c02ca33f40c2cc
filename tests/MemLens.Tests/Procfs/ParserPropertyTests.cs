using System.Text;
using FsCheck;
using FsCheck.Fluent;
using MemLens.Procfs;
using Xunit;

namespace MemLens.Tests.Procfs;

/// <summary>
/// The parsers read whatever the kernel (or a truncated read, or a corrupt copy) gives them: they must
/// never throw, and a value they return from a cut-short file must be the real value, never a prefix of it.
/// </summary>
public class ParserPropertyTests
{
    private static readonly Config s_config = Config.QuickThrowOnFailure.WithMaxTest(2000);

    /// <summary>Runs every parser on one input; throws if any parser throws.</summary>
    private static void ParseWithEverything(byte[] input)
    {
        ProcStatusParser.Parse(input);
        ProcStatmParser.Parse(input, 4096);
        SmapsRollupParser.Parse(input);
        CgroupParsers.ParseMemoryStat(input);
        CgroupParsers.ParseValue(input, out _);
        CgroupParsers.TryParseLimit(input, out _);
        CgroupMembership.Parse(input);
        CgroupMount.ParseMountInfo(input);
        ProcStatParser.TryParseStartTime(input, out _);
        ProcStatParser.TryParseUptime(input, out _);
        GoBuildInfo.TryFind(input, out _);
        DotNetDetection.TryFindCoreClr(input, out _);
        DotNetDetection.FindEnvironmentValue(input, "TMPDIR"u8);
        ProcText.TryFindField(input, "Name"u8, out _);
        MallocArenaParser.Parse(input);
    }

    [Fact]
    public void Arbitrary_bytes_never_throw()
    {
        Check.One(s_config, Prop.ForAll(ArbMap.Default.ArbFor<byte[]>(), bytes => ParseWithEverything(bytes)));
    }

    [Fact]
    public void Arbitrary_strings_never_throw()
    {
        Check.One(s_config, Prop.ForAll(ArbMap.Default.ArbFor<string>(), text => ParseWithEverything(Encoding.UTF8.GetBytes(text ?? ""))));
    }

    [Fact]
    public void Fixture_lines_shuffled_and_corrupted_never_throw()
    {
        // Real lines, recombined and with random bytes overwritten: close to what a bad read could give.
        byte[][] lines = AllFixtures().SelectMany(f => SplitKeepingNewlines(Fixture.Bytes(f))).ToArray();
        var gen =
            from picks in Gen.ArrayOf(Gen.Elements(lines))
            from position in Gen.Choose(0, 4000)
            from value in Gen.Choose(0, 255)
            select (picks, position, (byte)value);

        Check.One(s_config, Prop.ForAll(gen.ToArbitrary(), t =>
        {
            byte[] input = t.picks.SelectMany(l => l).ToArray();
            if (input.Length > 0)
            {
                input[t.position % input.Length] = t.Item3;
            }

            ParseWithEverything(input);
        }));
    }

    public static TheoryData<string> StatusFixtures() => new(Fixture.StatusFiles);

    public static TheoryData<string> StatmFixtures() => new(Fixture.StatmFiles);

    public static TheoryData<string> RollupFixtures() => new(Fixture.SmapsRollupFiles);

    public static TheoryData<string> MemoryStatFixtures() => new(Fixture.MemoryStatFiles);

    [Theory]
    [MemberData(nameof(StatusFixtures))]
    public void Every_prefix_of_a_status_gives_absent_or_the_full_value(string name)
    {
        byte[] full = Fixture.Bytes(name);
        var expected = ProcStatusParser.Parse(full);
        for (int length = 0; length <= full.Length; length++)
        {
            var got = ProcStatusParser.Parse(full.AsSpan(0, length));
            Assert.Equal(ProcStatusFields.None, got.Present & ~expected.Present);
            foreach (var (field, value) in StatusValues(got))
            {
                Assert.True(value == StatusValues(expected).First(e => e.Field == field).Value, $"{name}[..{length}] {field}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(StatmFixtures))]
    public void Every_prefix_of_a_statm_gives_absent_or_the_full_value(string name)
    {
        byte[] full = Fixture.Bytes(name);
        for (int length = 0; length < full.Length; length++)
        {
            // statm is one line: without its newline it may be cut anywhere, so nothing is trusted.
            var got = ProcStatmParser.Parse(full.AsSpan(0, length), 4096);
            Assert.Equal(ProcStatmFields.None, got.Present);
        }

        // The whole file gives all seven fields, each the fixture's page count (read here by splitting the text) × 4096.
        long[] pages = Encoding.ASCII.GetString(full).Split(' ', StringSplitOptions.TrimEntries).Select(t => long.Parse(t, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal(7, pages.Length);
        var parsed = ProcStatmParser.Parse(full, 4096);
        Assert.Equal(Enumerable.Range(0, 7).Aggregate(ProcStatmFields.None, (all, i) => all | (ProcStatmFields)(1 << i)), parsed.Present);
        Assert.Equal(pages.Select(p => p * 4096), new[] { parsed.Size, parsed.Resident, parsed.Shared, parsed.Text, parsed.Lib, parsed.Data, parsed.Dirty });
    }

    [Theory]
    [MemberData(nameof(RollupFixtures))]
    public void Every_prefix_of_a_smaps_rollup_gives_absent_or_the_full_value(string name)
    {
        byte[] full = Fixture.Bytes(name);
        var expected = SmapsRollupParser.Parse(full);
        for (int length = 0; length <= full.Length; length++)
        {
            var got = SmapsRollupParser.Parse(full.AsSpan(0, length));
            Assert.Equal(SmapsRollupFields.None, got.Present & ~expected.Present);
            foreach (var (field, value) in RollupValues(got))
            {
                Assert.True(value == RollupValues(expected).First(e => e.Field == field).Value, $"{name}[..{length}] {field}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(MemoryStatFixtures))]
    public void Every_prefix_of_a_memory_stat_gives_absent_or_the_full_value(string name)
    {
        byte[] full = Fixture.Bytes(name);
        var expected = CgroupParsers.ParseMemoryStat(full);
        for (int length = 0; length <= full.Length; length++)
        {
            var got = CgroupParsers.ParseMemoryStat(full.AsSpan(0, length));
            Assert.Equal(CgroupMemoryStatFields.None, got.Present & ~expected.Present);
            if (got.Has(CgroupMemoryStatFields.Anon)) { Assert.Equal(expected.Anon, got.Anon); }
            if (got.Has(CgroupMemoryStatFields.File)) { Assert.Equal(expected.File, got.File); }
            if (got.Has(CgroupMemoryStatFields.TotalRss)) { Assert.Equal(expected.TotalRss, got.TotalRss); }
            if (got.Has(CgroupMemoryStatFields.TotalCache)) { Assert.Equal(expected.TotalCache, got.TotalCache); }
            if (got.Has(CgroupMemoryStatFields.HierarchicalMemoryLimit)) { Assert.Equal(expected.HierarchicalMemoryLimit, got.HierarchicalMemoryLimit); }
        }
    }

    [Fact]
    public void Every_prefix_of_the_other_fixtures_gives_absent_or_the_full_value()
    {
        foreach (string name in Fixture.StatFiles)
        {
            byte[] full = Fixture.Bytes(name);
            Assert.True(ProcStatParser.TryParseStartTime(full, out long expected));
            for (int length = 0; length < full.Length; length++)
            {
                if (ProcStatParser.TryParseStartTime(full.AsSpan(0, length), out long got))
                {
                    Assert.Equal(expected, got);
                }
            }
        }

        foreach (string name in new[] { "cgroup-v1.memory.usage_in_bytes", "handmade.v2.memory.current", "handmade.v2.memory.max-limited" })
        {
            byte[] full = Fixture.Bytes(name);

            // The whole file is the number it holds, read here from the text; no prefix of it is a number.
            long expected = long.Parse(Encoding.ASCII.GetString(full).Trim(), System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal(CgroupValueKind.Number, CgroupParsers.ParseValue(full, out long got));
            Assert.Equal(expected, got);
            for (int length = 0; length < full.Length; length++)
            {
                Assert.Equal(CgroupValueKind.Invalid, CgroupParsers.ParseValue(full.AsSpan(0, length), out _));
            }
        }

        foreach (string name in Fixture.CgroupFiles)
        {
            byte[] full = Fixture.Bytes(name);
            var expected = CgroupMembership.Parse(full);
            for (int length = 0; length <= full.Length; length++)
            {
                var got = CgroupMembership.Parse(full.AsSpan(0, length));
                Assert.True(got.UnifiedPath is null || got.UnifiedPath == expected.UnifiedPath, $"{name}[..{length}]");
                Assert.True(got.MemoryV1Path is null || got.MemoryV1Path == expected.MemoryV1Path, $"{name}[..{length}]");
            }
        }

        foreach (string name in Fixture.MountInfoFiles)
        {
            byte[] full = Fixture.Bytes(name);
            var expected = CgroupMount.ParseMountInfo(full);
            for (int length = 0; length <= full.Length; length++)
            {
                Assert.All(CgroupMount.ParseMountInfo(full.AsSpan(0, length)), m => Assert.Contains(m, expected));
            }
        }
    }

    private static IEnumerable<string> AllFixtures() =>
        Directory.EnumerateFiles(Path.GetDirectoryName(Fixture.PathOf("x"))!).Select(Path.GetFileName).Where(n => n is not ("README.md" or "capture.sh"))!;

    private static IEnumerable<byte[]> SplitKeepingNewlines(byte[] content)
    {
        int start = 0;
        for (int i = 0; i < content.Length; i++)
        {
            if (content[i] == (byte)'\n')
            {
                yield return content[start..(i + 1)];
                start = i + 1;
            }
        }

        if (start < content.Length)
        {
            yield return content[start..];
        }
    }

    private static List<(ProcStatusFields Field, long Value)> StatusValues(ProcStatus s)
    {
        var all = new List<(ProcStatusFields, long)>
        {
            (ProcStatusFields.VmRss, s.VmRss), (ProcStatusFields.VmSize, s.VmSize), (ProcStatusFields.VmHwm, s.VmHwm),
            (ProcStatusFields.VmSwap, s.VmSwap), (ProcStatusFields.VmPte, s.VmPte), (ProcStatusFields.VmData, s.VmData),
            (ProcStatusFields.VmStk, s.VmStk), (ProcStatusFields.VmExe, s.VmExe), (ProcStatusFields.RssAnon, s.RssAnon),
            (ProcStatusFields.RssFile, s.RssFile), (ProcStatusFields.RssShmem, s.RssShmem), (ProcStatusFields.Threads, s.Threads),
            (ProcStatusFields.State, s.State),
        };
        return all.Where(x => s.Has(x.Item1)).ToList();
    }

    private static List<(SmapsRollupFields Field, long Value)> RollupValues(SmapsRollup r)
    {
        var all = new List<(SmapsRollupFields, long)>
        {
            (SmapsRollupFields.Rss, r.Rss), (SmapsRollupFields.Pss, r.Pss), (SmapsRollupFields.PssAnon, r.PssAnon),
            (SmapsRollupFields.PssFile, r.PssFile), (SmapsRollupFields.PssShmem, r.PssShmem), (SmapsRollupFields.SharedClean, r.SharedClean),
            (SmapsRollupFields.SharedDirty, r.SharedDirty), (SmapsRollupFields.PrivateClean, r.PrivateClean),
            (SmapsRollupFields.PrivateDirty, r.PrivateDirty), (SmapsRollupFields.LazyFree, r.LazyFree),
            (SmapsRollupFields.AnonHugePages, r.AnonHugePages), (SmapsRollupFields.Swap, r.Swap), (SmapsRollupFields.SwapPss, r.SwapPss),
        };
        return all.Where(x => r.Has(x.Item1)).ToList();
    }
}
