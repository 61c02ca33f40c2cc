using MemLens.Metrics;
using MemLens.Sampling;

namespace MemLens.Procfs;

/// <summary>
/// Samples <c>/proc/&lt;pid&gt;/smaps_rollup</c>: PSS and its anon/file split, USS, swap PSS, LazyFree and
/// transparent huge pages. The kernel walks every mapping of the process to produce this file, so its
/// cost grows with resident memory; the source measures each read and stretches its
/// <see cref="Interval"/> so that reading stays within <see cref="BudgetFraction"/> of one core.
/// </summary>
public sealed class SmapsRollupSource : IMetricSource
{
    private readonly ProcFile _file;
    private readonly CostAdaptiveInterval _schedule;

    /// <summary>Opens the smaps_rollup of process <paramref name="processId"/> with the default pacing.</summary>
    /// <exception cref="ProcessNotFoundException">No such process.</exception>
    /// <exception cref="ProcessAccessDeniedException">Reading smaps needs the same user as the process, or root.</exception>
    public SmapsRollupSource(int processId)
        : this(processId, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(60))
    {
    }

    /// <summary>Opens the smaps_rollup of process <paramref name="processId"/>.</summary>
    /// <param name="processId">The process to read.</param>
    /// <param name="baseInterval">Shortest interval, used while reads are cheap (default 1 s).</param>
    /// <param name="maxInterval">Longest interval, however costly reads are (default 60 s).</param>
    /// <param name="budgetFraction">Share of one core the reads may use (default 0.001, i.e. 0.1 %).</param>
    public SmapsRollupSource(int processId, TimeSpan baseInterval, TimeSpan maxInterval, double budgetFraction = 0.001)
        : this(processId, "/proc", new CostAdaptiveInterval(baseInterval, maxInterval, budgetFraction))
    {
    }

    /// <summary>For tests: read from a directory laid out like /proc.</summary>
    internal SmapsRollupSource(int processId, string procRoot, CostAdaptiveInterval schedule)
    {
        ProcessId = processId;
        _schedule = schedule;
        _file = ProcFile.OpenForProcess(procRoot, processId, "smaps_rollup", initialBytes: 2048);
    }

    /// <inheritdoc/>
    public string Name => "smaps_rollup";

    /// <summary>The process being read.</summary>
    public int ProcessId { get; }

    /// <summary>Current interval: max(base, smoothed cost ÷ budget), capped at the maximum.</summary>
    public TimeSpan Interval => _schedule.Interval;

    /// <summary>Share of one core the reads may use.</summary>
    public double BudgetFraction => _schedule.BudgetFraction;

    /// <summary>CPU time of the last read and parse (the reading thread's user + system time).</summary>
    public TimeSpan LastCost => _schedule.LastCost;

    /// <summary>The cost estimate the interval is derived from.</summary>
    public TimeSpan SmoothedCost => _schedule.SmoothedCost;

    /// <summary>The fields of the last sample.</summary>
    public SmapsRollup Last { get; private set; }

    /// <inheritdoc/>
    /// <exception cref="TargetExitedException">The process has exited.</exception>
    public void Sample(ISampleWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        // CPU time, not wall time: on a busy machine a read can wait for a core for far longer than it works, and
        // an interval stretched by that wait left LazyFree and PSS a minute stale exactly when a user looks.
        var cost = ThreadCpuClock.Start();
        var content = _file.ReadForProcess(ProcessId);
        var rollup = SmapsRollupParser.Parse(content);
        _schedule.Record(cost.Elapsed());

        // The kernel prints an empty file for a process without an address space (a zombie, whose
        // memory is already gone): that is an exit, not a process with zero PSS.
        if (content.IsEmpty)
        {
            throw ProcErrors.Exited(ProcessId);
        }

        Last = rollup;
        writer.WriteIf(MetricCatalog.ProcessPss, rollup.Has(SmapsRollupFields.Pss), rollup.Pss);
        writer.WriteIf(MetricCatalog.ProcessPssAnon, rollup.Has(SmapsRollupFields.PssAnon), rollup.PssAnon);
        writer.WriteIf(MetricCatalog.ProcessPssFile, rollup.Has(SmapsRollupFields.PssFile), rollup.PssFile);
        writer.WriteIf(MetricCatalog.ProcessUss, rollup.HasUss, rollup.Uss);
        writer.WriteIf(MetricCatalog.ProcessSwapPss, rollup.Has(SmapsRollupFields.SwapPss), rollup.SwapPss);
        writer.WriteIf(MetricCatalog.ProcessLazyFree, rollup.Has(SmapsRollupFields.LazyFree), rollup.LazyFree);
        writer.WriteIf(MetricCatalog.ProcessAnonHuge, rollup.Has(SmapsRollupFields.AnonHugePages), rollup.AnonHugePages);
    }


    /// <summary>Closes the file.</summary>
    public void Dispose() => _file.Dispose();
}
