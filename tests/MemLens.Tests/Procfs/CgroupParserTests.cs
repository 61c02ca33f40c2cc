using MemLens.Procfs;
using Xunit;

namespace MemLens.Tests.Procfs;

public class CgroupParserTests
{
    [Fact]
    public void V1_membership_finds_the_memory_line_and_the_empty_v2_line()
    {
        var m = CgroupMembership.Parse(Fixture.Bytes("sleep.cgroup"));

        Assert.Equal("/process_api/29203b6e058eac90f0751d04e536105c", m.MemoryV1Path);
        Assert.Equal("/", m.UnifiedPath);
    }

    [Fact]
    public void V2_membership()
    {
        var m = CgroupMembership.Parse(Fixture.Bytes("handmade.v2.cgroup"));

        Assert.Equal("/system.slice/demo.service", m.UnifiedPath);
        Assert.Null(m.MemoryV1Path);
    }

    [Fact]
    public void V1_memory_controller_comma_joined_with_others_and_paths_with_colons()
    {
        var m = CgroupMembership.Parse("5:cpu,cpuacct:/a\n4:blkio,memory:/kubepods/pod:1\n"u8);

        Assert.Equal("/kubepods/pod:1", m.MemoryV1Path);
        Assert.Null(m.UnifiedPath);
    }

    [Fact]
    public void Hybrid_mountinfo_lists_the_v1_memory_and_the_v2_mounts_only()
    {
        var mounts = CgroupMount.ParseMountInfo(Fixture.Bytes("mountinfo.hybrid-v1"));

        Assert.Equal(
            [new CgroupMount(1, "/", "/sys/fs/cgroup/memory"), new CgroupMount(2, "/", "/sys/fs/cgroup/unified")],
            mounts.OrderBy(m => m.Version).ToArray());
    }

    [Fact]
    public void V2_mountinfo_and_escaped_mount_points()
    {
        var mounts = CgroupMount.ParseMountInfo(Fixture.Bytes("handmade.v2.mountinfo"));
        Assert.Equal([new CgroupMount(2, "/", "/sys/fs/cgroup")], mounts.ToArray());

        var escaped = CgroupMount.ParseMountInfo("30 1 0:5 /docker/abc /sys/fs/cgroup/my\\040mem rw - cgroup cgroup rw,memory\n"u8);
        Assert.Equal([new CgroupMount(1, "/docker/abc", "/sys/fs/cgroup/my mem")], escaped.ToArray());
    }

    [Fact]
    public void V1_memory_stat_gives_hierarchical_totals_and_limit()
    {
        var s = CgroupParsers.ParseMemoryStat(Fixture.Bytes("cgroup-v1.memory.stat"));

        Assert.Equal(137408512, s.TotalRss);
        Assert.Equal(169320448, s.TotalCache);
        Assert.Equal(9223372036854771712, s.HierarchicalMemoryLimit);
        Assert.False(s.Has(CgroupMemoryStatFields.Anon));
        Assert.False(s.Has(CgroupMemoryStatFields.File));
    }

    [Fact]
    public void V2_memory_stat_gives_anon_and_file()
    {
        var s = CgroupParsers.ParseMemoryStat(Fixture.Bytes("handmade.v2.memory.stat"));

        Assert.Equal(104857600, s.Anon);
        Assert.Equal(52428800, s.File);
        Assert.False(s.Has(CgroupMemoryStatFields.TotalRss));
    }

    [Fact]
    public void Value_files()
    {
        Assert.Equal(CgroupValueKind.Number, CgroupParsers.ParseValue(Fixture.Bytes("cgroup-v1.memory.usage_in_bytes"), out long usage));
        Assert.Equal(313122816, usage);
        Assert.Equal(CgroupValueKind.Max, CgroupParsers.ParseValue(Fixture.Bytes("handmade.v2.memory.max"), out _));
        Assert.Equal(CgroupValueKind.Invalid, CgroupParsers.ParseValue("12ab\n"u8, out _));
        Assert.Equal(CgroupValueKind.Invalid, CgroupParsers.ParseValue("123"u8, out _));
    }

    [Fact]
    public void Limits_max_and_v1_huge_values_are_absent()
    {
        Assert.False(CgroupParsers.TryParseLimit(Fixture.Bytes("handmade.v2.memory.max"), out _));
        Assert.False(CgroupParsers.TryParseLimit(Fixture.Bytes("cgroup-v1.memory.limit_in_bytes"), out _));
        Assert.True(CgroupParsers.TryParseLimit(Fixture.Bytes("handmade.v2.memory.max-limited"), out long limit));
        Assert.Equal(536870912, limit);
    }
}
