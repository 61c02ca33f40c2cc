namespace MemLens.Procfs;

/// <summary>The directory whose memory files describe a process's cgroup.</summary>
/// <param name="Version">1 or 2.</param>
/// <param name="Directory">The cgroup directory read, e.g. /sys/fs/cgroup/system.slice/app.service.</param>
/// <param name="CgroupPath">The process's cgroup path as /proc/&lt;pid&gt;/cgroup shows it.</param>
/// <param name="IsAncestor">
/// True when the process's own cgroup directory is not visible here (nested namespaces, a container
/// that mounts only part of the tree) and <see cref="Directory"/> is its nearest visible ancestor.
/// The figures then cover the ancestor, which includes the process's cgroup and its siblings.
/// </param>
public sealed record CgroupLocation(int Version, string Directory, string CgroupPath, bool IsAncestor)
{
    /// <summary>
    /// Finds the memory directory for <paramref name="membership"/> among <paramref name="mounts"/>:
    /// cgroup v2 first (memory.current), then v1 (memory.usage_in_bytes). Returns null when none is visible.
    /// </summary>
    /// <remarks>
    /// When the exact directory does not exist, the nearest existing ancestor below the mount point is
    /// used and flagged with <see cref="IsAncestor"/>; walking further, to the mount point itself, would
    /// report the whole machine (v1) as if it were the container, so in that case the result is null.
    /// A process whose own cgroup is the root of the hierarchy gets the root.
    /// </remarks>
    public static CgroupLocation? Find(CgroupMembership membership, IReadOnlyList<CgroupMount> mounts)
    {
        ArgumentNullException.ThrowIfNull(membership);
        ArgumentNullException.ThrowIfNull(mounts);
        foreach (int version in (ReadOnlySpan<int>)[2, 1])
        {
            string? path = version == 2 ? membership.UnifiedPath : membership.MemoryV1Path;
            if (path is null)
            {
                continue;
            }

            string probe = version == 2 ? "memory.current" : "memory.usage_in_bytes";
            foreach (var mount in mounts)
            {
                if (mount.Version != version)
                {
                    continue;
                }

                var found = FindUnder(mount, path, probe);
                if (found is not null)
                {
                    return found;
                }
            }
        }

        return null;
    }

    private static CgroupLocation? FindUnder(CgroupMount mount, string cgroupPath, string probe)
    {
        string mountPoint = Path.TrimEndingDirectorySeparator(mount.MountPoint);
        string relative = RelativeTo(cgroupPath, mount.Root).Trim('/');
        string exact = relative.Length == 0 ? mountPoint : Path.Combine(mountPoint, relative);
        string? dir = exact;
        while (dir is not null)
        {
            bool isMountPoint = string.Equals(dir, mountPoint, StringComparison.Ordinal);
            if (isMountPoint && !string.Equals(exact, mountPoint, StringComparison.Ordinal))
            {
                return null; // do not pass the whole hierarchy off as the process's cgroup
            }

            if (File.Exists(Path.Combine(dir, probe)))
            {
                return new CgroupLocation(mount.Version, dir, cgroupPath, IsAncestor: !string.Equals(dir, exact, StringComparison.Ordinal));
            }

            if (isMountPoint)
            {
                return null;
            }

            dir = Path.GetDirectoryName(dir);
        }

        return null;
    }

    // The mount shows the cgroup `root` at its mount point; a process path below it is relative to it.
    // A path outside the mounted root (the mount belongs to another namespace view) is tried as is.
    private static string RelativeTo(string cgroupPath, string root)
    {
        if (root == "/" || root.Length == 0)
        {
            return cgroupPath;
        }

        if (string.Equals(cgroupPath, root, StringComparison.Ordinal))
        {
            return "/";
        }

        return cgroupPath.StartsWith(root + "/", StringComparison.Ordinal) ? cgroupPath[root.Length..] : cgroupPath;
    }
}
