using MemLens.Metrics;
using MemLens.Procfs;
using MemLens.Sampling;
using Xunit;

namespace MemLens.Tests.Procfs;

public sealed class CgroupSourceTests : IDisposable
{
    private const int Pid = 4242;
    private readonly string _sys = Directory.CreateTempSubdirectory("memlens-sysfs-").FullName;

    public void Dispose() => Directory.Delete(_sys, recursive: true);

    private string MountInfo(string fsType, string superOptions, string mountPoint)
    {
        string path = Path.Combine(_sys, "mountinfo");
        File.WriteAllText(path, $"25 22 0:22 / {mountPoint} rw,relatime shared:9 - {fsType} {fsType} {superOptions}\n");
        return path;
    }

    private void CopyFixture(string dir, string fixture, string name)
    {
        Directory.CreateDirectory(dir);
        File.Copy(Fixture.PathOf(fixture), Path.Combine(dir, name), overwrite: true);
    }

    [Fact]
    public void V2_usage_anon_file_and_no_limit_when_max()
    {
        string mount = Path.Combine(_sys, "cgroup");
        string dir = Path.Combine(mount, "system.slice", "demo.service");
        CopyFixture(dir, "handmade.v2.memory.current", "memory.current");
        CopyFixture(dir, "handmade.v2.memory.max", "memory.max");
        CopyFixture(dir, "handmade.v2.memory.stat", "memory.stat");
        using var proc = FakeProc.With(Pid, ("cgroup", Fixture.Bytes("handmade.v2.cgroup")));
        using var source = new CgroupSource(Pid, proc.Root, MountInfo("cgroup2", "rw,nsdelegate", mount));
        var writer = new NonAllocatingWriter();

        source.Sample(writer);

        Assert.Equal(new CgroupLocation(2, dir, "/system.slice/demo.service", false), source.Location);
        Assert.Equal(159383552, writer[MetricCatalog.ContainerUsage]);
        Assert.Equal(104857600, writer[MetricCatalog.ContainerAnon]);
        Assert.Equal(52428800, writer[MetricCatalog.ContainerFile]);
        Assert.False(writer.Has(MetricCatalog.ContainerLimit));

        File.Copy(Fixture.PathOf("handmade.v2.memory.max-limited"), Path.Combine(dir, "memory.max"), overwrite: true);
        writer.Clear();
        source.Sample(writer);
        Assert.Equal(536870912, writer[MetricCatalog.ContainerLimit]);
    }

    [Fact]
    public void V1_usage_total_rss_total_cache_and_huge_limit_is_absent()
    {
        string mount = Path.Combine(_sys, "memory");
        string dir = Path.Combine(mount, "process_api", "29203b6e058eac90f0751d04e536105c");
        CopyFixture(dir, "cgroup-v1.memory.usage_in_bytes", "memory.usage_in_bytes");
        CopyFixture(dir, "cgroup-v1.memory.limit_in_bytes", "memory.limit_in_bytes");
        CopyFixture(dir, "cgroup-v1.memory.stat", "memory.stat");
        using var proc = FakeProc.With(Pid, ("cgroup", Fixture.Bytes("sleep.cgroup")));
        using var source = new CgroupSource(Pid, proc.Root, MountInfo("cgroup", "rw,memory", mount));
        var writer = new NonAllocatingWriter();

        source.Sample(writer);

        Assert.Equal(1, source.Location!.Version);
        Assert.Equal(313122816, writer[MetricCatalog.ContainerUsage]);
        Assert.Equal(137408512, writer[MetricCatalog.ContainerAnon]);
        Assert.Equal(169320448, writer[MetricCatalog.ContainerFile]);
        Assert.False(writer.Has(MetricCatalog.ContainerLimit));
    }

    [Fact]
    public void No_visible_memory_cgroup_writes_nothing()
    {
        using var proc = FakeProc.With(Pid, ("cgroup", Fixture.Bytes("handmade.v2.cgroup")));
        using var source = new CgroupSource(Pid, proc.Root, MountInfo("cgroup2", "rw", Path.Combine(_sys, "absent")));
        var writer = new NonAllocatingWriter();

        source.Sample(writer);

        Assert.Null(source.Location);
        Assert.Equal(0, writer.Writes);
    }

    [Fact]
    public void A_process_moved_to_another_cgroup_is_followed()
    {
        string mount = Path.Combine(_sys, "cgroup");
        foreach (string group in new[] { "a", "b" })
        {
            string d = Path.Combine(mount, group);
            Directory.CreateDirectory(d);
            File.WriteAllText(Path.Combine(d, "memory.current"), group == "a" ? "100\n" : "200\n");
            File.WriteAllText(Path.Combine(d, "memory.max"), "max\n");
            File.WriteAllText(Path.Combine(d, "memory.stat"), "anon 1\nfile 2\n");
        }

        using var proc = FakeProc.With(Pid, ("cgroup", "0::/a\n"u8.ToArray()));
        using var source = new CgroupSource(Pid, proc.Root, MountInfo("cgroup2", "rw", mount));
        var writer = new NonAllocatingWriter();
        source.Sample(writer);
        Assert.Equal(100, writer[MetricCatalog.ContainerUsage]);

        proc.Write(Pid, "cgroup", "0::/b\n"u8.ToArray());
        source.Sample(writer);
        Assert.Equal(200, writer[MetricCatalog.ContainerUsage]);
        Assert.EndsWith("/b", source.Location!.Directory, StringComparison.Ordinal);
    }

    [Fact]
    public void Live_process_on_this_machine_matches_its_cgroup_files()
    {
        using var child = ProcfsSourceLiveTests.StartSleep();
        using var source = new CgroupSource(child.Pid);
        var writer = new NonAllocatingWriter();

        source.Sample(writer);

        Assert.NotNull(source.Location); // this machine has a visible memory cgroup (v1 or v2)
        string usageFile = source.Location!.Version == 2 ? "memory.current" : "memory.usage_in_bytes";
        long usageOnDisk = long.Parse(File.ReadAllText(Path.Combine(source.Location.Directory, usageFile)).Trim(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(Math.Abs(usageOnDisk - writer[MetricCatalog.ContainerUsage]) < 64 << 20, "usage read twice moments apart");
        Assert.True(writer.Has(MetricCatalog.ContainerAnon) && writer.Has(MetricCatalog.ContainerFile));

        int pid = child.Pid;
        child.Dispose();
        Assert.Equal(pid, Assert.Throws<TargetExitedException>(() => source.Sample(writer)).ProcessId);
    }
}
