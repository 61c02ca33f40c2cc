using MemLens.Metrics;
using MemLens.Sampling;

namespace MemLens.Procfs;

/// <summary>
/// Counts the glibc malloc arenas of a process from <c>/proc/&lt;pid&gt;/maps</c> (see <see cref="MallocArenaParser"/>)
/// and writes <c>process.memory.malloc_arenas</c> and <c>process.memory.malloc_arenas.size</c>. maps lists the
/// mappings without walking their pages (smaps does, and costs far more), so one read is cheap; arenas appear with
/// new threads and grow slowly, so every 10 s is enough.
/// </summary>
public sealed class ArenaSource : IMetricSource
{
    /// <summary>Default interval: arenas are created per thread and grow with the heap, never second by second.</summary>
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromSeconds(10);

    private readonly ProcFile _file;

    /// <summary>Opens the maps of process <paramref name="processId"/>, read every <see cref="DefaultInterval"/>.</summary>
    /// <exception cref="ProcessNotFoundException">No such process.</exception>
    /// <exception cref="ProcessAccessDeniedException">Reading maps needs the same user as the process, or root.</exception>
    public ArenaSource(int processId)
        : this(processId, DefaultInterval)
    {
    }

    /// <summary>Opens the maps of process <paramref name="processId"/>, read every <paramref name="interval"/>.</summary>
    public ArenaSource(int processId, TimeSpan interval)
        : this(processId, "/proc", interval)
    {
    }

    /// <summary>For tests: read from a directory laid out like /proc.</summary>
    internal ArenaSource(int processId, string procRoot, TimeSpan interval)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(interval, TimeSpan.Zero);
        ProcessId = processId;
        Interval = interval;
        // A process has a few hundred mappings (~100 bytes each); 16 MiB holds the kernel's default limit of 65,530.
        _file = ProcFile.OpenForProcess(procRoot, processId, "maps", initialBytes: 64 * 1024, maxBytes: 16 << 20);
    }

    /// <inheritdoc/>
    public string Name => "malloc_arenas";

    /// <summary>The process being read.</summary>
    public int ProcessId { get; }

    /// <inheritdoc/>
    public TimeSpan Interval { get; }

    /// <summary>What the last sample found.</summary>
    public MallocArenas Last { get; private set; }

    /// <inheritdoc/>
    /// <exception cref="TargetExitedException">The process has exited.</exception>
    public void Sample(ISampleWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        var content = _file.ReadToEndForProcess(ProcessId);

        // A process without an address space (a zombie) has an empty maps: that is an exit, not zero arenas.
        if (content.IsEmpty)
        {
            throw ProcErrors.Exited(ProcessId);
        }

        var arenas = MallocArenaParser.Parse(content);
        Last = arenas;
        writer.Write(MetricCatalog.ProcessMallocArenas, arenas.Count);
        writer.Write(MetricCatalog.ProcessMallocArenasSize, arenas.ReadWriteBytes);
    }

    /// <summary>Closes the file.</summary>
    public void Dispose() => _file.Dispose();
}
