using MemLens.Doctor;
using MemLens.Events;
using MemLens.Metrics;
using Xunit;
using static MemLens.Tests.Doctor.SyntheticProcess;

namespace MemLens.Tests.Doctor;

/// <summary>Each rule on its edges, with made-up figures: what must fire, and what must stay silent.</summary>
public class DoctorRulesTests
{
    private static string[] Ids(DoctorReport report) => report.Findings.Select(f => f.Id).ToArray();

    /// <summary>
    /// A .NET process whose heap saw-tooths between <paramref name="floor"/> and floor + 16 MiB, with a GC every 2 s and a
    /// full one every 20 s; <paramref name="fragmented"/> is what each GC reports as fragmented, in the series too.
    /// </summary>
    private static SyntheticProcess SawTooth(SyntheticProcess p, int seconds, Func<int, double> floor, Func<int, double>? committed = null, Func<int, double>? rss = null,
        Func<int, double>? fragmented = null)
    {
        var random = new Random(7);
        p.Series(MetricCatalog.GcHeapSize, seconds, s => floor(s) + (s % 2 == 0 ? 0 : random.NextDouble() * 16));
        p.Series(MetricCatalog.GcCommitted, seconds, committed ?? (s => floor(s) + 24));
        p.Series(MetricCatalog.ProcessRss, seconds, rss ?? (s => floor(s) + 70 + (random.NextDouble() * 4)));
        for (int s = 2; s <= seconds; s += 2)
        {
            p.Gc(s, s % 20 == 0 ? 2 : 0, floor(s) + 16, floor(s), fragmentedMiB: fragmented?.Invoke(s) ?? 0);
        }

        if (fragmented is not null)
        {
            p.Series(MetricCatalog.GcFragmented, seconds, fragmented);
        }

        return p;
    }

    [Fact]
    public void A_noisy_flat_process_is_healthy_and_nothing_else()
    {
        var random = new Random(1);
        var p = SawTooth(DotNet(), 300, _ => 20 + (random.NextDouble() * 3));

        var report = p.Examine(300);

        Assert.Equal([FindingIds.Healthy], Ids(report));
        Assert.True(report.IsHealthy);
        var healthy = report.Findings[0];
        Assert.Equal(Confidence.High, healthy.Confidence);
        Assert.StartsWith("Nothing wrong: memory is flat", healthy.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public void One_load_peak_that_came_back_is_healthy()
    {
        // Heap and RSS go up by 180 MiB for 30 s, a full GC collects it and RSS comes back.
        static double Load(int s) => s is >= 60 and < 95 ? 180 : 0;
        var p = DotNet()
            .Series(MetricCatalog.GcHeapSize, 300, s => 20 + Load(s))
            .Series(MetricCatalog.GcCommitted, 300, s => 40 + Load(s))
            .Series(MetricCatalog.ProcessRss, 300, s => 100 + Load(s));
        for (int s = 10; s <= 300; s += 10)
        {
            p.Gc(s, s == 100 ? 2 : 0, 30 + Load(s - 1), 20 + Load(s));
        }

        var report = p.Examine(300);

        Assert.Equal([FindingIds.Healthy], Ids(report));
        Assert.StartsWith("Nothing wrong: memory rose with load and came back", report.Findings[0].Summary, StringComparison.Ordinal);
    }

    [Fact]
    public void A_short_window_is_not_enough_data_and_says_how_long_is_needed()
    {
        var p = SawTooth(DotNet(), 30, _ => 20);

        var report = p.Examine(30);

        var finding = Assert.Single(report.Findings);
        Assert.Equal(FindingIds.NotEnoughData, finding.Id);
        Assert.Contains("30s", finding.Summary, StringComparison.Ordinal);
        Assert.Contains("1m 20s", finding.Evidence[0], StringComparison.Ordinal);
        Assert.False(report.IsHealthy);
    }

    [Fact]
    public void No_figures_at_all_is_not_enough_data()
    {
        var report = DotNet().Examine(600);

        var finding = Assert.Single(report.Findings);
        Assert.Equal(FindingIds.NotEnoughData, finding.Id);
        Assert.Equal(Confidence.High, finding.Confidence);
    }

    [Fact]
    public void Figures_outside_the_range_are_not_judged()
    {
        var p = SawTooth(DotNet(), 300, s => 20 + s); // a leak, but before the range asked about

        var report = MemoryDoctor.Examine(p.Store, p.Facts, T0 + 400_000, T0 + 900_000);

        Assert.Equal([FindingIds.NotEnoughData], Ids(report));
    }

    [Fact]
    public void Rss_rising_without_the_runtime_figures_is_not_named_only_said()
    {
        // A .NET process watched without its runtime: RSS rises, but managed or native cannot be told apart.
        var p = DotNet().Series(MetricCatalog.ProcessRss, 300, s => 100 + (0.5 * s));

        var report = p.Examine(300);

        var finding = Assert.Single(report.Findings);
        Assert.Equal(FindingIds.NotEnoughData, finding.Id);
        Assert.Contains("cannot tell managed from native", finding.Evidence[0], StringComparison.Ordinal);
        Assert.Contains(finding.NextSteps, s => s.Contains("memlens watch", StringComparison.Ordinal));
    }

    [Fact]
    public void A_native_program_whose_anonymous_memory_keeps_rising_grows_natively()
    {
        var p = Native()
            .Series(MetricCatalog.ProcessRss, 300, s => 50 + (0.4 * s))
            .Series(MetricCatalog.ProcessAnon, 300, s => 30 + (0.4 * s));

        var report = p.Examine(300);

        var finding = Assert.Single(report.Findings);
        Assert.Equal(FindingIds.NativeGrowth, finding.Id);
        Assert.StartsWith("anonymous RSS, averaged over each 10s, rose from 32 MiB to 148 MiB", finding.Evidence[0], StringComparison.Ordinal);
    }

    [Fact]
    public void A_heap_whose_floor_keeps_rising_across_full_GCs_is_a_managed_leak()
    {
        var p = SawTooth(DotNet(), 300, s => 20 + (0.5 * s));

        var report = p.Examine(300);

        var leak = Assert.Single(report.Findings);
        Assert.Equal(FindingIds.ManagedLeak, leak.Id);
        Assert.Equal(Confidence.High, leak.Confidence);
        Assert.Contains("+30 MiB/min", leak.Evidence[0], StringComparison.Ordinal);
        Assert.Contains("each full collection finds more", leak.Evidence[1], StringComparison.Ordinal);
        Assert.Contains(leak.NextSteps, s => s.Contains("memlens diff before.json after.json", StringComparison.Ordinal));
    }

    [Fact]
    public void The_pid_from_the_facts_goes_into_the_commands()
    {
        var p = SawTooth(DotNet(), 300, s => 20 + (0.5 * s));
        p.Facts["target.pid"] = "4242";

        var leak = p.Examine(300).Findings[0];

        Assert.Contains(leak.NextSteps, s => s.Contains("memlens snapshot 4242 -o before.json", StringComparison.Ordinal));
    }

    [Fact]
    public void A_heap_that_filled_at_start_up_and_then_stayed_flat_is_not_a_leak()
    {
        var p = SawTooth(DotNet(), 300, s => Math.Min(100, 10 + (2.5 * s)));

        var report = p.Examine(300);

        Assert.Equal([FindingIds.Healthy], Ids(report));
        Assert.StartsWith("Nothing wrong: memory rose while the process warmed up", report.Findings[0].Summary, StringComparison.Ordinal);
    }

    [Fact]
    public void A_rise_that_a_late_full_GC_takes_back_is_garbage_not_a_leak()
    {
        // Garbage piles up in gen2 for 280 s with only ephemeral GCs; then a full GC finds 20 MiB live.
        var p = DotNet()
            .Series(MetricCatalog.GcHeapSize, 300, s => s < 290 ? 20 + (0.7 * s) : 20)
            .Series(MetricCatalog.GcCommitted, 300, s => s < 290 ? 30 + (0.7 * s) : 230)
            .Series(MetricCatalog.ProcessRss, 300, s => s < 290 ? 80 + (0.7 * s) : 280);
        for (int s = 5; s < 290; s += 5)
        {
            p.Gc(s, 0, 22 + (0.7 * s), 20 + (0.7 * s));
        }

        p.Gc(290, 2, 223, 20, GcKind.FullBlocking, "Induced");

        var report = p.Examine(300);

        Assert.DoesNotContain(FindingIds.ManagedLeak, Ids(report));
        var retention = Assert.Single(report.Findings);
        Assert.Equal(FindingIds.RuntimeRetention, retention.Id);
        Assert.Contains("reason Induced", retention.Evidence[0], StringComparison.Ordinal);
    }

    [Fact]
    public void Committed_far_above_a_small_heap_under_server_GC_is_retention()
    {
        var random = new Random(3);
        var p = DotNet()
            .Series(MetricCatalog.GcHeapSize, 300, _ => 30 + (random.NextDouble() * 5))
            .Series(MetricCatalog.GcCommitted, 300, _ => 400)
            .Series(MetricCatalog.ProcessRss, 300, _ => 450 + random.NextDouble());
        for (int s = 20; s <= 300; s += 20)
        {
            p.Gc(s, 2, 34, 25);
        }

        p.Facts["dotnet.gc.server"] = "true";
        p.Facts["env.DOTNET_GCgen0size"] = "0x4000000";

        var report = p.Examine(300);

        var finding = Assert.Single(report.Findings);
        Assert.Equal(FindingIds.RuntimeRetention, finding.Id);
        Assert.Contains(finding.Evidence, e => e.StartsWith("GC committed memory stayed at up to 400 MiB", StringComparison.Ordinal));
        Assert.Contains(finding.NextSteps, s => s.Contains("Server GC", StringComparison.Ordinal));
        Assert.Contains(finding.NextSteps, s => s.StartsWith("GC settings in its environment: DOTNET_GCgen0size=0x4000000", StringComparison.Ordinal));
    }

    [Fact]
    public void Committed_a_little_above_a_small_heap_is_the_GCs_normal_budget()
    {
        // The steady demo: 27 MiB committed over a 5–8 MiB heap.
        var p = SawTooth(DotNet(), 300, _ => 5, committed: _ => 27.5);

        Assert.Equal([FindingIds.Healthy], Ids(p.Examine(300)));
    }

    [Fact]
    public void LazyFree_after_a_go_program_released_its_heap_is_named_with_its_GODEBUG()
    {
        var p = GoProgram()
            .Series(MetricCatalog.ProcessRss, 100, _ => 141)
            .Series(MetricCatalog.ProcessLazyFree, 100, s => s < 20 ? 0 : 128)
            .Series(MetricCatalog.GoHeapAlloc, 100, s => s < 20 ? 128 : 1)
            .Series(MetricCatalog.GoHeapIdle, 100, s => s < 20 ? 2 : 130)
            .Series(MetricCatalog.GoHeapReleased, 100, s => s < 20 ? 2 : 130)
            .Series(MetricCatalog.GoSys, 100, _ => 146);
        p.Facts["env.GODEBUG"] = "gctrace=1,madvdontneed=0";

        var report = p.Examine(100);

        var finding = Assert.Single(report.Findings);
        Assert.Equal(FindingIds.LazyFree, finding.Id);
        Assert.Equal(Confidence.High, finding.Confidence);
        Assert.Contains("without it the process holds 13 MiB", finding.Evidence[0], StringComparison.Ordinal);
        Assert.Contains(finding.Evidence, e => e.Contains("madvdontneed=0 makes the runtime release memory with MADV_FREE", StringComparison.Ordinal));
        Assert.Contains(finding.NextSteps, s => s.Contains("GODEBUG=madvdontneed=1", StringComparison.Ordinal));
        Assert.Equal(T0 + 20_000, finding.FromMs);
    }

    [Fact]
    public void A_little_LazyFree_is_routine()
    {
        var p = SawTooth(DotNet(), 120, _ => 20).Series(MetricCatalog.ProcessLazyFree, 120, _ => 8);

        Assert.DoesNotContain(FindingIds.LazyFree, Ids(p.Examine(120)));
    }

    [Fact]
    public void LazyFree_in_a_dotnet_process_is_explained_as_the_GC_resetting_free_space()
    {
        var p = SawTooth(DotNet(), 120, _ => 100, rss: _ => 300).Series(MetricCatalog.ProcessLazyFree, 120, _ => 90);

        var finding = p.Examine(120).Findings.Single(f => f.Id == FindingIds.LazyFree);

        Assert.Equal(Confidence.High, finding.Confidence);
        Assert.Contains(finding.NextSteps, s => s.Contains("The .NET GC hands free space", StringComparison.Ordinal));
    }

    [Fact]
    public void A_day_of_flat_history_read_in_buckets_is_healthy()
    {
        var random = new Random(5);
        var p = DotNet()
            .Series(MetricCatalog.GcHeapSize, 86_400, s => 40 + (random.NextDouble() * 20))
            .Series(MetricCatalog.GcCommitted, 86_400, _ => 90)
            .Series(MetricCatalog.ProcessRss, 86_400, s => 150 + (random.NextDouble() * 5));

        var report = p.Examine(86_400);

        Assert.Equal([FindingIds.Healthy], Ids(report));
        Assert.Equal(Confidence.High, report.Findings[0].Confidence);
    }

    [Fact]
    public void A_slow_leak_shows_over_a_day()
    {
        // 100 MiB a day under a noisy 40–60 MiB saw-tooth: invisible in minutes, plain over the day.
        var random = new Random(6);
        var p = DotNet()
            .Series(MetricCatalog.GcHeapSize, 86_400, s => 40 + (s / 864.0) + (random.NextDouble() * 20))
            .Series(MetricCatalog.GcCommitted, 86_400, s => 90 + (s / 864.0))
            .Series(MetricCatalog.ProcessRss, 86_400, s => 150 + (s / 864.0) + (random.NextDouble() * 5));

        Assert.Equal([FindingIds.ManagedLeak], Ids(p.Examine(86_400)));
        Assert.DoesNotContain(FindingIds.ManagedLeak, Ids(p.Examine(600)));
    }

    [Fact]
    public void Many_large_flat_arenas_beside_a_flat_heap_are_glibc_arenas()
    {
        var p = SawTooth(DotNet(), 300, _ => 50, rss: _ => 900)
            .Count(MetricCatalog.ProcessMallocArenas, 300, _ => 24, stepSeconds: 10)
            .Series(MetricCatalog.ProcessMallocArenasSize, 300, _ => 600, stepSeconds: 10)
            .Count(MetricCatalog.ProcessThreads, 300, _ => 64);

        var finding = Assert.Single(p.Examine(300).Findings);

        Assert.Equal(FindingIds.GlibcArenas, finding.Id);
        Assert.StartsWith("24 glibc malloc arena heaps", finding.Evidence[0], StringComparison.Ordinal);
        Assert.Contains("MALLOC_ARENA_MAX=2", finding.NextSteps[0], StringComparison.Ordinal);
    }

    [Fact]
    public void Arena_advice_says_what_MALLOC_ARENA_MAX_already_is()
    {
        var p = SawTooth(DotNet(), 300, _ => 50, rss: _ => 900)
            .Count(MetricCatalog.ProcessMallocArenas, 300, _ => 24, stepSeconds: 10)
            .Series(MetricCatalog.ProcessMallocArenasSize, 300, _ => 600, stepSeconds: 10);
        p.Facts["env.MALLOC_ARENA_MAX"] = "8";

        Assert.Contains("MALLOC_ARENA_MAX is already 8", p.Examine(300).Findings[0].NextSteps[0], StringComparison.Ordinal);
    }

    [Fact]
    public void Arenas_that_keep_growing_are_native_growth_not_arena_overhead()
    {
        var p = SawTooth(DotNet(), 300, _ => 20, rss: s => 100 + (1.5 * s))
            .Count(MetricCatalog.ProcessMallocArenas, 300, s => 10 + (s / 60), stepSeconds: 10)
            .Series(MetricCatalog.ProcessMallocArenasSize, 300, s => 50 + (1.5 * s), stepSeconds: 10);

        var finding = Assert.Single(p.Examine(300).Findings);

        Assert.Equal(FindingIds.NativeGrowth, finding.Id);
        Assert.Contains(finding.Evidence, e => e.Contains("the growth is memory allocated with malloc", StringComparison.Ordinal));
        Assert.Contains(finding.NextSteps, s => s.Contains("MALLOC_ARENA_MAX=2", StringComparison.Ordinal));
    }

    [Fact]
    public void Few_small_arenas_say_nothing()
    {
        var p = SawTooth(DotNet(), 300, _ => 20)
            .Count(MetricCatalog.ProcessMallocArenas, 300, _ => 15, stepSeconds: 10)
            .Series(MetricCatalog.ProcessMallocArenasSize, 300, _ => 3, stepSeconds: 10);

        Assert.Equal([FindingIds.Healthy], Ids(p.Examine(300)));
    }

    [Fact]
    public void A_heap_half_made_of_holes_for_a_long_while_is_fragmented()
    {
        var p = SawTooth(DotNet(), 200, _ => 280, committed: _ => 290, fragmented: s => s < 30 ? 10 : 150)
            .Series(MetricCatalog.GcLohSize, 200, _ => 140)
            .Series(MetricCatalog.GcPohSize, 200, _ => 130)
            .Count(MetricCatalog.GcPinned, 200, _ => 12);

        var finding = Assert.Single(p.Examine(200).Findings);

        Assert.Equal(FindingIds.Fragmentation, finding.Id);
        Assert.Equal(Confidence.High, finding.Confidence);
        Assert.Contains(finding.Evidence, e => e.StartsWith("12 objects were pinned", StringComparison.Ordinal));
    }

    [Fact]
    public void Fragmentation_in_one_reading_is_not_sustained()
    {
        var p = SawTooth(DotNet(), 200, _ => 280, committed: _ => 290, fragmented: s => s == 180 ? 150 : 5);

        Assert.DoesNotContain(FindingIds.Fragmentation, Ids(p.Examine(200)));
    }

    [Fact]
    public void Holes_that_full_GCs_report_count_even_when_ephemeral_GCs_leave_them_out()
    {
        // As attached to the fragmentation demo: every full GC says half the heap is holes, the ephemeral GCs between
        // them say little, and the series follows whichever GC came last, so most of its readings are low.
        var p = SawTooth(DotNet(), 200, _ => 280, committed: _ => 290, fragmented: s => s % 20 == 0 ? 150 : 12);

        Assert.Equal(FindingIds.Fragmentation, Assert.Single(p.Examine(200).Findings).Id);
    }

    [Fact]
    public void One_full_GC_in_the_recent_part_is_read_with_the_one_before_it()
    {
        // As in a loaded CI run of the fragmentation demo: full GCs 70 s apart, so the recent part (the last 66 s)
        // holds one; the ephemeral GCs between them say little, and the series follows whichever GC came last.
        var p = DotNet().Series(MetricCatalog.GcHeapSize, 200, _ => 280);
        for (int s = 2; s <= 200; s += 2)
        {
            bool full = s % 70 == 0;
            p.Gc(s, full ? 2 : 0, 296, 280, fragmentedMiB: full ? 150 : 12);
        }

        p.Series(MetricCatalog.GcFragmented, 200, s => s % 70 < 4 ? 150 : 12);

        var finding = Assert.Single(p.Examine(200).Findings);
        Assert.Equal(FindingIds.Fragmentation, finding.Id);
        Assert.Equal(SyntheticProcess.T0 + 70_000, finding.FromMs);
    }

    [Fact]
    public void With_fewer_than_two_full_GCs_the_sampled_series_decides()
    {
        var p = DotNet()
            .Series(MetricCatalog.GcHeapSize, 200, _ => 280)
            .Series(MetricCatalog.GcFragmented, 200, s => s < 30 ? 10 : 150);
        for (int s = 2; s <= 200; s += 2)
        {
            p.Gc(s, s == 20 ? 2 : 0, 296, 280, fragmentedMiB: 12); // one full GC, long before the recent part
        }

        Assert.Contains(FindingIds.Fragmentation, Ids(p.Examine(200)));
    }

    [Fact]
    public void Usage_at_the_cgroup_limit_made_of_anonymous_memory_is_container_pressure()
    {
        var p = SawTooth(DotNet(), 200, _ => 600, rss: _ => 900)
            .Series(MetricCatalog.ContainerUsage, 200, _ => 970)
            .Series(MetricCatalog.ContainerLimit, 200, _ => 1000)
            .Series(MetricCatalog.ContainerAnon, 200, _ => 920)
            .Series(MetricCatalog.ContainerFile, 200, _ => 40);
        p.Facts["env.DOTNET_GCHeapHardLimit"] = "0x20000000";

        var finding = Assert.Single(p.Examine(200).Findings);

        Assert.Equal(FindingIds.ContainerPressure, finding.Id);
        Assert.Equal(Confidence.High, finding.Confidence);
        Assert.Contains(finding.NextSteps, s => s.Contains("DOTNET_GCHeapHardLimit=0x20000000 (512 MiB; the value is hexadecimal)", StringComparison.Ordinal));
    }

    [Fact]
    public void Usage_at_the_limit_made_of_page_cache_is_not_pressure()
    {
        var p = SawTooth(DotNet(), 200, _ => 50)
            .Series(MetricCatalog.ContainerUsage, 200, _ => 970)
            .Series(MetricCatalog.ContainerLimit, 200, _ => 1000)
            .Series(MetricCatalog.ContainerAnon, 200, _ => 200)
            .Series(MetricCatalog.ContainerFile, 200, _ => 760);

        Assert.Equal([FindingIds.Healthy], Ids(p.Examine(200)));
    }

    [Fact]
    public void Go_advice_under_container_pressure_names_GOMEMLIMIT()
    {
        var p = GoProgram()
            .Series(MetricCatalog.ProcessRss, 200, _ => 900)
            .Series(MetricCatalog.ContainerUsage, 200, _ => 960)
            .Series(MetricCatalog.ContainerLimit, 200, _ => 1000);

        var finding = p.Examine(200).Findings.First(f => f.Id == FindingIds.ContainerPressure);

        Assert.Contains(finding.NextSteps, s => s.Contains("GOMEMLIMIT=900MiB", StringComparison.Ordinal));
    }

    [Fact]
    public void Several_findings_come_most_harmful_first()
    {
        var p = SawTooth(DotNet(), 300, s => 20 + (0.5 * s))
            .Series(MetricCatalog.ContainerUsage, 300, _ => 980)
            .Series(MetricCatalog.ContainerLimit, 300, _ => 1000);

        Assert.Equal([FindingIds.ContainerPressure, FindingIds.ManagedLeak], Ids(p.Examine(300)));
    }

    [Fact]
    public void A_go_live_heap_that_rises_from_GC_to_GC_is_a_leak()
    {
        var p = GoProgram()
            .Series(MetricCatalog.ProcessRss, 300, s => 40 + (0.6 * s))
            .Series(MetricCatalog.GoGcHeapLive, 300, s => 10 + (0.3 * s), stepSeconds: 5)
            .Series(MetricCatalog.GoSys, 300, s => 30 + (0.6 * s));

        var finding = Assert.Single(p.Examine(300).Findings);

        Assert.Equal(FindingIds.ManagedLeak, finding.Id);
        Assert.Equal(Confidence.High, finding.Confidence);
        Assert.StartsWith("Live heap marked by each GC (gctrace)", finding.Evidence[0], StringComparison.Ordinal);
        Assert.Equal("Every Go GC marks the whole heap, so each reading is what a full collection kept.", finding.Evidence[1]);
        Assert.Contains("go tool pprof", finding.NextSteps[0], StringComparison.Ordinal);
    }

    [Fact]
    public void Go_GCs_known_only_by_their_json_make_the_trend()
    {
        // gctrace events as a recording gives them back: the doctor reads heap_live from the JSON.
        var p = GoProgram().Series(MetricCatalog.ProcessRss, 300, s => 40 + (0.6 * s));
        for (int s = 4; s <= 300; s += 4)
        {
            using var json = System.Text.Json.JsonDocument.Parse($$"""{"type":"go.gc","number":{{s / 4}},"heap_live":{{(long)((10 + (0.3 * s)) * MiB)}},"heap_goal":1,"forced":false}""");
            p.Store.AddEvent(new ReplayedEvent(T0 + (s * 1000L), json.RootElement.Clone()));
        }

        var finding = Assert.Single(p.Examine(300).Findings);

        Assert.Equal(FindingIds.ManagedLeak, finding.Id);
        Assert.StartsWith("75 GCs in the range, each a full mark of the heap: the first left 11.2 MiB live, the last 100 MiB.", finding.Evidence[1], StringComparison.Ordinal);
    }

    [Fact]
    public void Go_idle_heap_kept_far_above_what_is_allocated_is_retention()
    {
        var p = GoProgram()
            .Series(MetricCatalog.ProcessRss, 300, s => s < 30 ? 100 + (10 * s) : 400)
            .Series(MetricCatalog.GoHeapAlloc, 300, s => s < 30 ? 10 * s : 40)
            .Series(MetricCatalog.GoHeapIdle, 300, s => s < 30 ? 0 : 300)
            .Series(MetricCatalog.GoHeapReleased, 300, s => s < 30 ? 0 : 20)
            .Series(MetricCatalog.GoSys, 300, s => s < 30 ? 100 + (10 * s) : 400);

        p.Facts["env.GOGC"] = "400";

        var finding = Assert.Single(p.Examine(300).Findings);

        Assert.Equal(FindingIds.RuntimeRetention, finding.Id);
        Assert.Contains("HeapIdle − HeapReleased", finding.Evidence[0], StringComparison.Ordinal);
        Assert.Contains(finding.NextSteps, s => s.StartsWith("GOGC is 400", StringComparison.Ordinal));
    }

    [Fact]
    public void A_heap_that_rose_with_no_full_GC_since_cannot_be_judged_yet()
    {
        // The spike demo's first minute: 400 MiB of large arrays dropped, only gen0 GCs since.
        var p = DotNet()
            .Series(MetricCatalog.GcHeapSize, 100, s => s < 10 ? 100 : 400)
            .Series(MetricCatalog.GcCommitted, 100, s => s < 10 ? 100 : 417)
            .Series(MetricCatalog.ProcessRss, 100, s => s < 10 ? 440 : 457);
        for (int s = 5; s <= 100; s += 20)
        {
            p.Gc(s, 0, 401, 400);
        }

        var finding = Assert.Single(p.Examine(100).Findings);

        Assert.Equal(FindingIds.NotEnoughData, finding.Id);
        Assert.Contains("no full GC has run since", finding.Summary, StringComparison.Ordinal);
    }
}
