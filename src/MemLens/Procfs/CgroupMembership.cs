using System.Text;

namespace MemLens.Procfs;

/// <summary>
/// Where a process sits in the cgroup hierarchies, from <c>/proc/&lt;pid&gt;/cgroup</c>: its cgroup v2
/// path (the "0::/path" line) and its cgroup v1 memory-controller path (the "N:…memory…:/path" line).
/// Paths are as the kernel shows them to the reader, relative to the reader's cgroup namespace.
/// </summary>
/// <param name="UnifiedPath">The cgroup v2 path, or null when the process has none.</param>
/// <param name="MemoryV1Path">The cgroup v1 memory path, or null when no v1 hierarchy has the memory controller.</param>
public sealed record CgroupMembership(string? UnifiedPath, string? MemoryV1Path)
{
    /// <summary>
    /// Parses <c>/proc/&lt;pid&gt;/cgroup</c>. Lines are "hierarchy-id:controllers:path"; controllers are
    /// comma-joined in v1 ("4:memory:/x", "7:cpu,memory:/x") and empty in v2 ("0::/x"). The path is
    /// everything after the second ':' (a path may itself contain ':'). Garbled lines are skipped.
    /// </summary>
    public static CgroupMembership Parse(ReadOnlySpan<byte> content)
    {
        string? unified = null;
        string? memory = null;
        while (ProcText.NextLine(ref content, out var line))
        {
            int first = line.IndexOf((byte)':');
            if (first < 0)
            {
                continue;
            }

            var afterId = line[(first + 1)..];
            int second = afterId.IndexOf((byte)':');
            if (second < 0)
            {
                continue;
            }

            var controllers = afterId[..second];
            var path = afterId[(second + 1)..];
            if (path.IsEmpty || path[0] != (byte)'/')
            {
                continue;
            }

            if (controllers.IsEmpty && line[..first].SequenceEqual("0"u8))
            {
                unified ??= Encoding.UTF8.GetString(path);
            }
            else if (memory is null && HasController(controllers, "memory"u8))
            {
                memory = Encoding.UTF8.GetString(path);
            }
        }

        return new CgroupMembership(unified, memory);
    }

    /// <summary>True when the comma-separated <paramref name="list"/> contains <paramref name="name"/>.</summary>
    internal static bool HasController(ReadOnlySpan<byte> list, ReadOnlySpan<byte> name)
    {
        while (!list.IsEmpty)
        {
            int comma = list.IndexOf((byte)',');
            var item = comma < 0 ? list : list[..comma];
            if (item.SequenceEqual(name))
            {
                return true;
            }

            list = comma < 0 ? default : list[(comma + 1)..];
        }

        return false;
    }
}
