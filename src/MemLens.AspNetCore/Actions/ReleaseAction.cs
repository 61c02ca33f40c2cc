using System.Diagnostics;
using System.Runtime;
using MemLens.Procfs;

namespace MemLens.AspNetCore.Actions;

/// <summary>
/// The in-process equivalent of Go's <c>debug.FreeOSMemory</c>: a blocking, compacting, aggressive full GC
/// (which also decommits the memory the GC was keeping for later), then <c>malloc_trim(0)</c> on glibc, with
/// RSS, PSS, GC heap and committed measured before and after. One release runs at a time.
/// </summary>
internal sealed class ReleaseAction
{
    public const string Help =
        "Runs a blocking, compacting, aggressive full garbage collection (GCCollectionMode.Aggressive, large " +
        "object heap compacted too), which returns the memory the GC keeps for later to the operating system, " +
        "then calls malloc_trim(0) so glibc gives free native heap pages back. The program's threads are paused " +
        "while the GC runs. RSS, PSS, GC heap and GC committed are measured before and after.";

    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>Runs the release, or returns null when another one is already running.</summary>
    public ReleaseResult? TryRun()
    {
        if (!_gate.Wait(0))
        {
            return null;
        }

        try
        {
            var before = Measure(afterRelease: false);
            var stopwatch = Stopwatch.StartNew();
            long ts = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
            string trim = MallocTrim.Run();
            stopwatch.Stop();
            var after = Measure(afterRelease: true);
            return new ReleaseResult(ts, stopwatch.Elapsed.TotalMilliseconds, before, after, trim, GC.GetGCMemoryInfo(GCKind.Any).Index);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>RSS from statm, PSS from smaps_rollup, heap and committed from the GC; null where a read fails.</summary>
    internal static MemoryFigures Measure(bool afterRelease)
    {
        long? rss = null, pss = null;
        try
        {
            var statm = ProcStatmParser.Parse(File.ReadAllBytes("/proc/self/statm"));
            if (statm.Has(ProcStatmFields.Resident))
            {
                rss = statm.Resident;
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
        }

        try
        {
            var rollup = SmapsRollupParser.Parse(File.ReadAllBytes("/proc/self/smaps_rollup"));
            if (rollup.Has(SmapsRollupFields.Pss))
            {
                pss = rollup.Pss;
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
        }

        // Before the release the last GC's heap size would hide what was allocated since, so the live figure is
        // used; after it, the release GC's own record is exact. GetTotalMemory can dip below zero right after an
        // aggressive GC with regions (seen: −108 KiB), so it is never used there.
        var info = GC.GetGCMemoryInfo(GCKind.Any);
        long live = afterRelease ? 0 : GC.GetTotalMemory(forceFullCollection: false);
        long? heap = live > 0 ? live : (info.Index == 0 ? null : info.HeapSizeBytes);
        return new MemoryFigures(rss, pss, heap, info.Index == 0 ? null : info.TotalCommittedBytes);
    }
}
