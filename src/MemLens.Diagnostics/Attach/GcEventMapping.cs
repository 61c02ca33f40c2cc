using MemLens.Events;
using Microsoft.Diagnostics.Tracing.Analysis.GC;
using Microsoft.Diagnostics.Tracing.Parsers.Clr;

namespace MemLens.Diagnostics.Attach;

/// <summary>
/// Turns TraceEvent's reconstruction of one GC (<see cref="TraceGC"/>, built from GCStart, GCPerHeapHistory,
/// GCHeapStats, the suspension events and GCEnd) into a MemLens <see cref="GcEvent"/>. Sizes come from the
/// raw per-heap records in bytes, not from TraceEvent's MB figures, so they equal what the process's own
/// <c>GC.GetGCMemoryInfo()</c> reports for the same GC.
/// </summary>
internal static class GcEventMapping
{
    // GCMemoryInfo's generation order: gen0, gen1, gen2, LOH, POH.
    private const int GenerationCount = 5;

    /// <param name="gc">The GC as TraceEvent rebuilt it.</param>
    /// <param name="timestampMs">When it started, Unix ms.</param>
    /// <param name="previousSeen">
    /// Whether the session saw the GC before it: the share of time paused "since the last GC" means nothing for the first
    /// GC of a session, which TraceEvent measures from the session's start.
    /// </param>
    public static GcEvent ToEvent(TraceGC gc, long timestampMs, bool previousSeen)
    {
        var sizes = new GcGenerationSizes[GenerationCount];
        long before = 0;
        long fragmented = 0;
        bool havePerHeap = gc.PerHeapHistories is { Count: > 0 };
        if (havePerHeap)
        {
            for (int g = 0; g < GenerationCount; g++)
            {
                long sizeBefore = 0, sizeAfter = 0, fragBefore = 0, fragAfter = 0;
                foreach (var heap in gc.PerHeapHistories!)
                {
                    if (heap.GenData is not { } gens || g >= gens.Length || gens[g] is not { } d)
                    {
                        continue;
                    }

                    sizeBefore += d.SizeBefore;
                    sizeAfter += d.SizeAfter;
                    fragBefore += d.FreeListSpaceBefore + d.FreeObjSpaceBefore;
                    fragAfter += d.FreeListSpaceAfter + d.FreeObjSpaceAfter;
                }

                sizes[g] = new GcGenerationSizes(sizeBefore, sizeAfter, fragBefore, fragAfter);
                before += sizeBefore;
                fragmented += fragAfter;
            }
        }

        var stats = gc.HeapStats;
        long after = stats?.TotalHeapSize ?? Sum(sizes, static s => s.SizeAfterBytes);
        return new GcEvent(timestampMs, gc.Number)
        {
            Generation = gc.Generation,
            Kind = KindOf(gc),
            HasDetails = true,
            Compacted = gc.GlobalHeapHistory is { } global && (global.GlobalMechanisms & GCGlobalMechanisms.Compaction) != 0,
            Concurrent = gc.Type == GCType.BackgroundGC,
            Pause = TimeSpan.FromMilliseconds(Math.Max(0, gc.PauseDurationMSec)),
            PauseTimePercentage = previousSeen ? Math.Max(0, gc.PauseTimePercentageSinceLastGC) : null,
            HeapSizeBeforeBytes = before,
            HeapSizeAfterBytes = after,
            CommittedBytes = null,
            FragmentedBytes = fragmented,
            PromotedBytes = Promoted(gc),
            PinnedObjects = stats?.PinnedObjectCount ?? 0,
            Generations = havePerHeap ? sizes : [],
            Reason = gc.Reason.ToString(),
            Origin = "eventpipe",
        };
    }

    // GCMemoryInfo.PromotedBytes counts what survived in every condemned generation, the POH included in a gen2 GC.
    // GCHeapStats leaves the POH out (its TotalPromotedSize4 stays 0), so the POH's survivors come from the per-heap
    // records (pinned + non-pinned survivors of generation 4).
    private static long Promoted(TraceGC gc)
    {
        if (gc.HeapStats is not { } stats)
        {
            return 0;
        }

        long promoted = stats.TotalPromotedSize0 + stats.TotalPromotedSize1 + stats.TotalPromotedSize2 + stats.TotalPromotedSize3 + stats.TotalPromotedSize4;
        if (gc.Generation == 2 && gc.PerHeapHistories is { } heaps)
        {
            foreach (var heap in heaps)
            {
                if (heap.GenData is { Length: > 4 } gens && gens[4] is { } poh)
                {
                    promoted += poh.PinnedSurv + poh.NonePinnedSurv;
                }
            }
        }

        return promoted;
    }

    private static GcKind KindOf(TraceGC gc) => gc.Generation < 2 ? GcKind.Ephemeral
        : gc.Type == GCType.BackgroundGC ? GcKind.Background
        : GcKind.FullBlocking;

    private static long Sum(GcGenerationSizes[] sizes, Func<GcGenerationSizes, long> pick)
    {
        long total = 0;
        foreach (var s in sizes)
        {
            total += pick(s);
        }

        return total;
    }
}
