using System.Text;

namespace MemLens.Procfs;

/// <summary>
/// A mounted cgroup hierarchy that can report memory: a cgroup2 mount, or a cgroup v1 mount carrying
/// the memory controller. <see cref="Root"/> is the cgroup shown at <see cref="MountPoint"/> (not "/"
/// inside containers that mount only their own subtree).
/// </summary>
/// <param name="Version">1 or 2.</param>
/// <param name="Root">The cgroup path mounted, e.g. "/" or "/docker/abc".</param>
/// <param name="MountPoint">Where it is mounted, e.g. "/sys/fs/cgroup" or "/sys/fs/cgroup/memory".</param>
public sealed record CgroupMount(int Version, string Root, string MountPoint)
{
    /// <summary>
    /// Finds the cgroup mounts in <c>/proc/self/mountinfo</c> content rather than assuming
    /// /sys/fs/cgroup: hybrid systems mount v2 at /sys/fs/cgroup/unified, and some distributions elsewhere.
    /// Lines are "id parent major:minor root mount-point options [optional…] - fstype source super-options".
    /// </summary>
    public static IReadOnlyList<CgroupMount> ParseMountInfo(ReadOnlySpan<byte> content)
    {
        var mounts = new List<CgroupMount>();
        while (ProcText.NextLine(ref content, out var line))
        {
            if (TryParseLine(line, out var mount))
            {
                mounts.Add(mount);
            }
        }

        return mounts;
    }

    private static bool TryParseLine(ReadOnlySpan<byte> line, out CgroupMount mount)
    {
        mount = null!;
        int separator = line.IndexOf(" - "u8);
        if (separator < 0)
        {
            return false;
        }

        var head = line[..separator];
        var tail = line[(separator + 3)..];
        if (!ProcText.NextToken(ref tail, out var fsType) || !ProcText.NextToken(ref tail, out _))
        {
            return false;
        }

        ProcText.NextToken(ref tail, out var superOptions);
        int version;
        if (fsType.SequenceEqual("cgroup2"u8))
        {
            version = 2;
        }
        else if (fsType.SequenceEqual("cgroup"u8) && CgroupMembership.HasController(superOptions, "memory"u8))
        {
            version = 1;
        }
        else
        {
            return false;
        }

        // Skip id, parent and major:minor; then root and mount point.
        for (int i = 0; i < 3; i++)
        {
            if (!ProcText.NextToken(ref head, out _))
            {
                return false;
            }
        }

        if (!ProcText.NextToken(ref head, out var root) || !ProcText.NextToken(ref head, out var mountPoint))
        {
            return false;
        }

        mount = new CgroupMount(version, Unescape(root), Unescape(mountPoint));
        return true;
    }

    // mountinfo writes space, tab, newline and backslash in paths as \040, \011, \012, \134.
    private static string Unescape(ReadOnlySpan<byte> s)
    {
        if (s.IndexOf((byte)'\\') < 0)
        {
            return Encoding.UTF8.GetString(s);
        }

        var bytes = new List<byte>(s.Length);
        for (int i = 0; i < s.Length; i++)
        {
            if (s[i] == (byte)'\\' && i + 3 < s.Length && IsOctal(s[i + 1]) && IsOctal(s[i + 2]) && IsOctal(s[i + 3]))
            {
                bytes.Add((byte)(((s[i + 1] - '0') << 6) | ((s[i + 2] - '0') << 3) | (s[i + 3] - '0')));
                i += 3;
            }
            else
            {
                bytes.Add(s[i]);
            }
        }

        return Encoding.UTF8.GetString(bytes.ToArray());
    }

    private static bool IsOctal(byte b) => b >= (byte)'0' && b <= (byte)'7';
}
