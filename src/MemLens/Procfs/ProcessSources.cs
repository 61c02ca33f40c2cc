using MemLens.Sampling;

namespace MemLens.Procfs;

/// <summary>The sources that read a process through /proc: its memory figures, smaps_rollup, its malloc arenas (maps) and its cgroup.</summary>
public static class ProcessSources
{
    /// <summary>
    /// Opens the sources for <paramref name="pid"/>. Throws <see cref="ProcessNotFoundException"/> or
    /// <see cref="ProcessAccessDeniedException"/> when the process cannot be read at all; a part that cannot
    /// be read (smaps_rollup or maps of another user's process, no cgroup) is left out and said in <paramref name="notes"/>.
    /// </summary>
    public static IReadOnlyList<IMetricSource> Open(int pid, TimeSpan interval, ICollection<string> notes)
    {
        var sources = new List<IMetricSource> { new ProcfsSource(pid) { Interval = interval } };
        try
        {
            sources.Add(new SmapsRollupSource(pid, interval, TimeSpan.FromSeconds(60)));
        }
        catch (ProcessAccessDeniedException ex)
        {
            notes.Add($"PSS, USS and LazyFree are not shown: {ex.Message}");
        }

        try
        {
            // maps, not smaps: it lists mappings without walking their pages, so a read every 10 s costs little.
            sources.Add(new ArenaSource(pid, interval > ArenaSource.DefaultInterval ? interval : ArenaSource.DefaultInterval));
        }
        catch (ProcessAccessDeniedException ex)
        {
            notes.Add($"glibc malloc arenas are not shown: {ex.Message}");
        }

        try
        {
            sources.Add(new CgroupSource(pid) { Interval = interval });
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ProcessAccessDeniedException)
        {
            notes.Add($"cgroup figures are not shown: {ex.Message}");
        }

        return sources;
    }
}
