using MemLens.Procfs;
using Xunit;

namespace MemLens.Tests.Procfs;

/// <summary>Builds cgroup trees in a temp directory and checks which directory is chosen.</summary>
public sealed class CgroupLocationTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("memlens-cgroup-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string MakeGroup(string relative, string probe)
    {
        string dir = Path.Combine(_root, relative);
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, probe), "1\n");
        return dir;
    }

    [Fact]
    public void V2_exact_directory()
    {
        string mount = Path.Combine(_root, "v2");
        string dir = MakeGroup("v2/system.slice/demo.service", "memory.current");

        var found = CgroupLocation.Find(new CgroupMembership("/system.slice/demo.service", null), [new CgroupMount(2, "/", mount)]);

        Assert.Equal(new CgroupLocation(2, dir, "/system.slice/demo.service", false), found);
    }

    [Fact]
    public void V2_without_memory_controller_falls_back_to_v1()
    {
        Directory.CreateDirectory(Path.Combine(_root, "unified"));
        string dir = MakeGroup("memory/process_api/x", "memory.usage_in_bytes");
        var mounts = new[] { new CgroupMount(2, "/", Path.Combine(_root, "unified")), new CgroupMount(1, "/", Path.Combine(_root, "memory")) };

        var found = CgroupLocation.Find(new CgroupMembership("/", "/process_api/x"), mounts);

        Assert.Equal(1, found!.Version);
        Assert.Equal(dir, found.Directory);
    }

    [Fact]
    public void Mount_of_a_subtree_maps_the_path_below_its_root()
    {
        string mount = Path.Combine(_root, "memory");
        MakeGroup("memory", "memory.usage_in_bytes");

        var found = CgroupLocation.Find(new CgroupMembership(null, "/docker/abc"), [new CgroupMount(1, "/docker/abc", mount)]);

        Assert.Equal(mount, found!.Directory);
        Assert.False(found.IsAncestor);
    }

    [Fact]
    public void Invisible_directory_walks_up_to_the_nearest_visible_ancestor()
    {
        string mount = Path.Combine(_root, "v2");
        string ancestor = MakeGroup("v2/kubepods/pod1", "memory.current");

        var found = CgroupLocation.Find(new CgroupMembership("/kubepods/pod1/container9", null), [new CgroupMount(2, "/", mount)]);

        Assert.Equal(ancestor, found!.Directory);
        Assert.True(found.IsAncestor);
    }

    [Fact]
    public void Walking_up_never_passes_off_the_hierarchy_root_as_the_cgroup()
    {
        string mount = Path.GetDirectoryName(MakeGroup("memory/x", "memory.usage_in_bytes"))!;
        File.WriteAllText(Path.Combine(mount, "memory.usage_in_bytes"), "1\n");
        Directory.Delete(Path.Combine(mount, "x"), recursive: true);

        Assert.Null(CgroupLocation.Find(new CgroupMembership(null, "/gone/deeper"), [new CgroupMount(1, "/", mount)]));
        Assert.Equal(mount, CgroupLocation.Find(new CgroupMembership(null, "/"), [new CgroupMount(1, "/", mount)])!.Directory);
    }

    [Fact]
    public void Nothing_visible_is_null()
    {
        Assert.Null(CgroupLocation.Find(new CgroupMembership("/a", "/b"), []));
    }
}
