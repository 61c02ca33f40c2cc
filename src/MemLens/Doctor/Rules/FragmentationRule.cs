using MemLens.Metrics;

namespace MemLens.Doctor.Rules;

/// <summary>
/// fragmentation: a large share of the .NET GC heap is free space between live objects, in most readings of the
/// recent part of the range. See docs/doctor.md#fragmentation.
/// </summary>
internal static class FragmentationRule
{
    public static Finding? Evaluate(DoctorData d)
    {
        if (d.ObservedSeconds < DoctorRules.MinStateSeconds)
        {
            return null;
        }

        var fragmented = d.Series(MetricCatalog.GcFragmented);
        var heap = d.Series(MetricCatalog.GcHeapSize);
        if (fragmented.IsEmpty || heap.IsEmpty)
        {
            return null;
        }

        long from = d.RecentFromMs, to = d.DataToMs;
        int readings = 0, fragmentedReadings = 0;
        var shares = new List<double>();
        var bytes = new List<double>();
        void Read(double f, double h)
        {
            readings++;
            shares.Add(f / h);
            bytes.Add(f);
            if (f >= DoctorRules.FragmentationMinBytes && f >= DoctorRules.FragmentationMinShare * h)
            {
                fragmentedReadings++;
            }
        }

        // The holes that last are in gen2, the LOH and the POH, and a full GC is what measures them: an ephemeral GC's
        // figure can leave them out (attached to the fragmentation demo, a gen1 GC said 13 MiB between full GCs that
        // said 300 MiB, and the series kept that until the next GC). So the full GCs of the recent part are the
        // readings when there are enough of them. When there are fewer, the last ones before it stand in: the holes
        // they measured stay until the next full GC, and a loaded machine can space full GCs 30 s apart (a CI run
        // had one in the recent part, and the series between said "healthy"). The series, sampled in slices, only
        // when the range has fewer full GCs than that.
        var allFullGcs = d.DotNetGcs.Where(g => g.IsFull && g.TimestampMs <= to && g.HeapAfter > 0).ToList(); // in time order
        var fullGcs = allFullGcs.Where(g => g.TimestampMs >= from).ToList();
        if (fullGcs.Count < DoctorRules.FragmentationMinFullGcs && allFullGcs.Count >= DoctorRules.FragmentationMinFullGcs)
        {
            fullGcs = allFullGcs[^DoctorRules.FragmentationMinFullGcs..];
            from = fullGcs[0].TimestampMs;
        }

        bool fromFullGcs = fullGcs.Count >= DoctorRules.FragmentationMinFullGcs;
        if (fromFullGcs)
        {
            foreach (var gc in fullGcs)
            {
                Read(gc.Fragmented, gc.HeapAfter);
            }
        }
        else
        {
            var grid = DoctorSeries.Combine(MetricCatalog.GcFragmented, from, to, DoctorRules.TrendSlices, (fragmented, 1));
            var heapGrid = DoctorSeries.Combine(MetricCatalog.GcHeapSize, from, to, DoctorRules.TrendSlices, (heap, 1));
            var heapAt = heapGrid.Times.Zip(heapGrid.Mean).ToDictionary(p => p.First, p => p.Second);
            for (int i = 0; i < grid.Count; i++)
            {
                if (heapAt.TryGetValue(grid.Times[i], out double h) && h > 0)
                {
                    Read(grid.Mean[i], h);
                }
            }
        }

        if (readings < (fromFullGcs ? DoctorRules.FragmentationMinFullGcs : 3) || fragmentedReadings < DoctorRules.SustainedShare * readings)
        {
            return null;
        }

        double share = TrendMath.Median(shares), amount = TrendMath.Median(bytes), heapNow = heap.MedianBetween(from, to);
        var evidence = new List<string>
        {
            $"Free space inside the GC heap (fragmented bytes) was {Words.Bytes(amount)} of a {Words.Bytes(heapNow)} heap ({Words.Percent(share)}, medians) in {Words.Percent(fragmentedReadings / (double)readings)} of the readings, {Words.Range(from, to)}.",
        };
        double loh = d.Series(MetricCatalog.GcLohSize).MedianBetween(from, to);
        double poh = d.Series(MetricCatalog.GcPohSize).MedianBetween(from, to);
        if (double.IsFinite(loh) || double.IsFinite(poh))
        {
            evidence.Add($"Large object heap {(double.IsFinite(loh) ? Words.Bytes(loh) : "unknown")}, pinned object heap {(double.IsFinite(poh) ? Words.Bytes(poh) : "unknown")}: neither is compacted by default, so holes between the objects that stay cannot close.");
        }

        var pinned = d.Series(MetricCatalog.GcPinned);
        if (!pinned.IsEmpty && pinned.LastValue > 0)
        {
            evidence.Add($"{Words.Number(pinned.LastValue, "0")} objects were pinned during the last GC: the GC cannot move them, so the space around them stays free.");
        }

        var committed = d.Series(MetricCatalog.GcCommitted);
        if (!committed.IsEmpty)
        {
            evidence.Add($"GC committed memory: {Words.Bytes(committed.MedianBetween(from, to))}.");
        }

        var steps = new List<string>
        {
            "Pool large and pinned buffers instead of allocating and dropping them (ArrayPool<T>.Shared, a MemoryPool, or one long-lived pinned buffer): holes come from short-lived objects between long-lived ones.",
            "Pin for as short a time as possible (fixed blocks, Memory<T>.Pin) or allocate buffers that must stay pinned once, up front, with GC.AllocateArray(pinned: true) so they sit together in the pinned object heap.",
            "To compact the large object heap once: GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce, then a full GC. Setting DOTNET_GCConserveMemory also lets the GC compact the LOH when fragmentation is high.",
            $"See which types sit in the heap: `memlens snapshot {Words.Pid(d)}`.",
        };
        return new Finding(FindingIds.Fragmentation, "GC heap fragmentation",
            "A large share of the .NET GC heap is free space between live objects: holes the GC cannot close because the objects around them are pinned or in heaps it does not compact (large and pinned object heaps). The memory is committed and counts in RSS, but holds nothing.",
            share >= 0.4 && fragmentedReadings >= 0.8 * readings ? Confidence.High : Confidence.Medium, evidence, from, to, steps);
    }
}
