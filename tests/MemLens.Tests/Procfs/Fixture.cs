namespace MemLens.Tests.Procfs;

/// <summary>Loads files from Fixtures/procfs (copied next to the test assembly).</summary>
internal static class Fixture
{
    public static string PathOf(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "procfs", name);

    public static byte[] Bytes(string name) => File.ReadAllBytes(PathOf(name));

    /// <summary>Every fixture a parser is meant to read, by parser.</summary>
    public static readonly string[] StatusFiles = ["sleep.status", "perl64m.status", "dotnet.status", "handmade.kernel-4.4.status"];

    public static readonly string[] StatmFiles = ["sleep.statm", "perl64m.statm", "dotnet.statm"];

    public static readonly string[] SmapsRollupFiles = ["sleep.smaps_rollup", "perl64m.smaps_rollup", "dotnet.smaps_rollup", "handmade.kernel-4.14.smaps_rollup"];

    public static readonly string[] MemoryStatFiles = ["cgroup-v1.memory.stat", "handmade.v2.memory.stat"];

    public static readonly string[] StatFiles = ["sleep.stat", "perl64m.stat"];

    public static readonly string[] CgroupFiles = ["sleep.cgroup", "perl64m.cgroup", "handmade.v2.cgroup"];

    public static readonly string[] MountInfoFiles = ["mountinfo.hybrid-v1", "handmade.v2.mountinfo"];
}
