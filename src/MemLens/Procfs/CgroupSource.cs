using MemLens.Metrics;
using MemLens.Sampling;

namespace MemLens.Procfs;

/// <summary>
/// Samples the memory of the cgroup a process belongs to (its container, systemd service or session):
/// usage, limit, and anon/file from memory.stat, for cgroup v2 and v1. The cgroup is found from
/// <c>/proc/&lt;pid&gt;/cgroup</c> and the cgroup mounts in <c>/proc/self/mountinfo</c> (see
/// <see cref="CgroupLocation.Find"/> for what happens when the exact directory is not visible).
/// </summary>
/// <remarks>
/// <c>/proc/&lt;pid&gt;/cgroup</c> stays open and is re-read every sample: it costs a few microseconds,
/// tells when the process has exited (ESRCH), and notices when the process was moved to another cgroup,
/// in which case the location is resolved again. When no memory cgroup is visible the source writes
/// nothing: the figures are absent, not zero.
/// </remarks>
public sealed class CgroupSource : IMetricSource
{
    private readonly ProcFile _membershipFile;
    private readonly string _mountInfoPath;
    private byte[] _lastMembership = [];
    private ProcFile? _usage;
    private ProcFile? _limit;
    private ProcFile? _stat;

    /// <summary>Finds and opens the memory cgroup of process <paramref name="processId"/>.</summary>
    /// <exception cref="ProcessNotFoundException">No such process.</exception>
    /// <exception cref="ProcessAccessDeniedException">This user may not read the process's files.</exception>
    public CgroupSource(int processId)
        : this(processId, "/proc", "/proc/self/mountinfo")
    {
    }

    /// <summary>For tests: a directory laid out like /proc, and a mountinfo file whose mount points may be anywhere.</summary>
    internal CgroupSource(int processId, string procRoot, string mountInfoPath)
    {
        ProcessId = processId;
        _mountInfoPath = mountInfoPath;
        _membershipFile = ProcFile.OpenForProcess(procRoot, processId, "cgroup", initialBytes: 1024, maxBytes: 64 * 1024);
        try
        {
            Relocate(_membershipFile.ReadForProcess(processId));
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <inheritdoc/>
    public string Name => "cgroup";

    /// <summary>The process whose cgroup is read.</summary>
    public int ProcessId { get; }

    /// <summary>How often to sample. Default: 1 second (the files are cheap to read).</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The cgroup directory read, or null when no memory cgroup is visible.</summary>
    public CgroupLocation? Location { get; private set; }

    /// <inheritdoc/>
    /// <exception cref="TargetExitedException">The process has exited.</exception>
    public void Sample(ISampleWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        var membership = _membershipFile.ReadForProcess(ProcessId);
        if (!membership.SequenceEqual(_lastMembership))
        {
            Relocate(membership);
        }

        if (Location is null || _usage is null || _limit is null || _stat is null)
        {
            return;
        }

        try
        {
            WriteFigures(writer, Location.Version);
        }
        catch (IOException)
        {
            // The cgroup directory was removed (container stopped, service restarted) while the process
            // lives on: find where it is now, next time.
            _lastMembership = [];
            throw;
        }
    }

    private void WriteFigures(ISampleWriter writer, int version)
    {
        if (CgroupParsers.ParseValue(_usage!.Read(), out long usage) == CgroupValueKind.Number)
        {
            writer.Write(MetricCatalog.ContainerUsage, usage);
        }

        bool hasLimit = CgroupParsers.TryParseLimit(_limit!.Read(), out long limit);
        var stat = CgroupParsers.ParseMemoryStat(_stat!.Read());
        if (version == 1 && stat.Has(CgroupMemoryStatFields.HierarchicalMemoryLimit)
            && stat.HierarchicalMemoryLimit < CgroupParsers.UnlimitedThreshold
            && (!hasLimit || stat.HierarchicalMemoryLimit < limit))
        {
            // v1: a parent's limit binds the child too; the kernel reports the tightest one here.
            limit = stat.HierarchicalMemoryLimit;
            hasLimit = true;
        }

        if (hasLimit)
        {
            writer.Write(MetricCatalog.ContainerLimit, limit);
        }

        var anonField = version == 2 ? CgroupMemoryStatFields.Anon : CgroupMemoryStatFields.TotalRss;
        var fileField = version == 2 ? CgroupMemoryStatFields.File : CgroupMemoryStatFields.TotalCache;
        if (stat.Has(anonField))
        {
            writer.Write(MetricCatalog.ContainerAnon, version == 2 ? stat.Anon : stat.TotalRss);
        }

        if (stat.Has(fileField))
        {
            writer.Write(MetricCatalog.ContainerFile, version == 2 ? stat.File : stat.TotalCache);
        }
    }

    // Rare (start, or the process moved): allocation is fine here.
    private void Relocate(ReadOnlySpan<byte> membershipContent)
    {
        _lastMembership = membershipContent.ToArray();
        CloseCgroupFiles();
        Location = null;

        var membership = CgroupMembership.Parse(membershipContent);
        IReadOnlyList<CgroupMount> mounts;
        using (var mountInfo = ProcFile.Open(_mountInfoPath, initialBytes: 16 * 1024, maxBytes: 4 << 20))
        {
            mounts = CgroupMount.ParseMountInfo(mountInfo.ReadToEnd());
        }

        var location = CgroupLocation.Find(membership, mounts);
        if (location is null)
        {
            return;
        }

        bool v2 = location.Version == 2;
        try
        {
            _usage = ProcFile.Open(Path.Combine(location.Directory, v2 ? "memory.current" : "memory.usage_in_bytes"), 64);
            _limit = ProcFile.Open(Path.Combine(location.Directory, v2 ? "memory.max" : "memory.limit_in_bytes"), 64);
            _stat = ProcFile.Open(Path.Combine(location.Directory, "memory.stat"), 2048);
            Location = location;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Visible but unreadable, or removed between the probe and the open: report absent.
            CloseCgroupFiles();
        }
    }

    private void CloseCgroupFiles()
    {
        _usage?.Dispose();
        _limit?.Dispose();
        _stat?.Dispose();
        _usage = _limit = _stat = null;
    }

    /// <summary>Closes the files.</summary>
    public void Dispose()
    {
        CloseCgroupFiles();
        _membershipFile.Dispose();
    }
}
