using MemLens.Metrics;
using MemLens.Sampling;

namespace MemLens.Procfs;

/// <summary>
/// Samples a process's memory from <c>/proc/&lt;pid&gt;/status</c> and <c>/proc/&lt;pid&gt;/statm</c>:
/// RSS, virtual size, shared, code, data (statm) and anon/file/shmem, swap, page tables, peak RSS and
/// threads (status). Both files stay open and are re-read in place, so a sample allocates nothing.
/// </summary>
public sealed class ProcfsSource : IMetricSource
{
    private readonly ProcFile _status;
    private readonly ProcFile _statm;
    private readonly long _pageSize;

    /// <summary>
    /// Opens the files of process <paramref name="processId"/>.
    /// </summary>
    /// <exception cref="ProcessNotFoundException">No such process.</exception>
    /// <exception cref="ProcessAccessDeniedException">This user may not read the process's files.</exception>
    public ProcfsSource(int processId)
        : this(processId, "/proc", Environment.SystemPageSize)
    {
    }

    /// <summary>For tests: read from a directory laid out like /proc.</summary>
    internal ProcfsSource(int processId, string procRoot, long pageSize)
    {
        ProcessId = processId;
        _pageSize = pageSize;
        _status = ProcFile.OpenForProcess(procRoot, processId, "status", initialBytes: 2048);
        try
        {
            _statm = ProcFile.OpenForProcess(procRoot, processId, "statm", initialBytes: 256);
        }
        catch
        {
            _status.Dispose();
            throw;
        }
    }

    /// <inheritdoc/>
    public string Name => "procfs";

    /// <summary>The process being read.</summary>
    public int ProcessId { get; }

    /// <summary>How often to sample. Default: 1 second.</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The status fields of the last sample.</summary>
    public ProcStatus LastStatus { get; private set; }

    /// <summary>The statm fields of the last sample.</summary>
    public ProcStatm LastStatm { get; private set; }

    /// <inheritdoc/>
    /// <exception cref="TargetExitedException">The process has exited (gone, or a zombie).</exception>
    public void Sample(ISampleWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        var status = ProcStatusParser.Parse(_status.ReadForProcess(ProcessId));
        if (status.HasExited)
        {
            // A zombie still has /proc files, but statm reads all zeros: report the exit, not 0 bytes.
            throw ProcErrors.Exited(ProcessId);
        }

        var statm = ProcStatmParser.Parse(_statm.ReadForProcess(ProcessId), _pageSize);
        if (HasNoAddressSpace(statm) && LastStatm.Has(ProcStatmFields.Size) && LastStatm.Size > 0)
        {
            // Between releasing its memory and becoming a zombie an exiting process still reads as running,
            // with statm all zeros: its address space is gone, so this is the exit, not an RSS of 0 bytes.
            // (A kernel thread has none from the start and is sampled as it is.)
            throw ProcErrors.Exited(ProcessId);
        }

        LastStatus = status;
        LastStatm = statm;

        // statm and status come from the same kernel counters; statm is preferred for the figures
        // top and ps show, status fills in when a statm field is missing.
        WriteEither(writer, MetricCatalog.ProcessRss, statm.Has(ProcStatmFields.Resident), statm.Resident, status.Has(ProcStatusFields.VmRss), status.VmRss);
        WriteEither(writer, MetricCatalog.ProcessVirtual, statm.Has(ProcStatmFields.Size), statm.Size, status.Has(ProcStatusFields.VmSize), status.VmSize);
        writer.WriteIf(MetricCatalog.ProcessShared, statm.Has(ProcStatmFields.Shared), statm.Shared);
        writer.WriteIf(MetricCatalog.ProcessCode, statm.Has(ProcStatmFields.Text), statm.Text);
        writer.WriteIf(MetricCatalog.ProcessData, statm.Has(ProcStatmFields.Data), statm.Data);
        writer.WriteIf(MetricCatalog.ProcessAnon, status.Has(ProcStatusFields.RssAnon), status.RssAnon);
        writer.WriteIf(MetricCatalog.ProcessFile, status.Has(ProcStatusFields.RssFile), status.RssFile);
        writer.WriteIf(MetricCatalog.ProcessShmem, status.Has(ProcStatusFields.RssShmem), status.RssShmem);
        writer.WriteIf(MetricCatalog.ProcessSwap, status.Has(ProcStatusFields.VmSwap), status.VmSwap);
        writer.WriteIf(MetricCatalog.ProcessPageTables, status.Has(ProcStatusFields.VmPte), status.VmPte);
        writer.WriteIf(MetricCatalog.ProcessRssPeak, status.Has(ProcStatusFields.VmHwm), status.VmHwm);
        writer.WriteIf(MetricCatalog.ProcessThreads, status.Has(ProcStatusFields.Threads), status.Threads);
    }


    private static bool HasNoAddressSpace(ProcStatm statm) =>
        statm.Has(ProcStatmFields.Size) && statm.Size == 0 && statm.Has(ProcStatmFields.Resident) && statm.Resident == 0;

    private static void WriteEither(ISampleWriter writer, MetricDescriptor metric, bool firstPresent, long first, bool secondPresent, long second)
    {
        if (firstPresent)
        {
            writer.Write(metric, first);
        }
        else if (secondPresent)
        {
            writer.Write(metric, second);
        }
    }

    /// <summary>Closes the files.</summary>
    public void Dispose()
    {
        _status.Dispose();
        _statm.Dispose();
    }
}
