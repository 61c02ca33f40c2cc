namespace MemLens.Metrics;

/// <summary>
/// Every metric MemLens knows, with its help text. The catalog is the single source of truth for
/// names, units and meaning: docs/metrics.md is generated from it, charts and exporters read it.
/// </summary>
public static class MetricCatalog
{
    private static readonly List<MetricDescriptor> s_all = [];
    private static readonly Dictionary<string, MetricDescriptor> s_byName = new(StringComparer.Ordinal);

    // ---- process: the operating system's view, from /proc/<pid> ----

    public static readonly MetricDescriptor ProcessRss = Add(
        "process.memory.rss", "RSS", MetricUnit.Bytes, MetricKind.Gauge, "process",
        "/proc/<pid>/statm: resident × page size (same as VmRSS in status)",
        "Resident set size: every page of the process that is in physical memory right now, whoever else " +
        "shares it. It counts the process's own anonymous memory (heaps, stacks), the pages of mapped files " +
        "such as the executable and shared libraries, and shared memory. Because shared library pages are " +
        "counted in full in every process that maps them, the RSS of several processes adds up to more than " +
        "the memory they really use; PSS corrects for that. Pages freed with MADV_FREE (LazyFree) stay in RSS " +
        "until the kernel needs them, so RSS can stay high after a runtime has given memory back. This is " +
        "top's RES and ps's RSS column.");

    public static readonly MetricDescriptor ProcessVirtual = Add(
        "process.memory.virtual", "VSZ", MetricUnit.Bytes, MetricKind.Gauge, "process",
        "/proc/<pid>/statm: size × page size (same as VmSize in status)",
        "Virtual size: the whole address space the process has mapped, whether or not any of it was ever " +
        "touched. Runtimes reserve large ranges up front (the .NET GC reserves hundreds of GiB on 64-bit, " +
        "glibc reserves 64 MiB arenas per thread), so VSZ is usually far above RSS and says little about " +
        "memory pressure. It is top's VIRT and ps's VSZ column; it is charted on its own axis so that it does " +
        "not flatten the other lines.");

    public static readonly MetricDescriptor ProcessPss = Add(
        "process.memory.pss", "PSS", MetricUnit.Bytes, MetricKind.Gauge, "process",
        "/proc/<pid>/smaps_rollup: Pss",
        "Proportional set size: resident private pages in full plus each shared page divided by the number " +
        "of processes that map it. The PSS of all processes on a machine adds up to the memory they really " +
        "use, which makes it the fairest single figure for 'how much does this process cost'. It lies between " +
        "USS and RSS. Reading it walks every mapping, so it is sampled less often than RSS when it is costly.");

    public static readonly MetricDescriptor ProcessPssAnon = Add(
        "process.memory.pss.anon", "PSS anon", MetricUnit.Bytes, MetricKind.Gauge, "process",
        "/proc/<pid>/smaps_rollup: Pss_Anon",
        "The part of PSS that is anonymous memory (heaps, stacks, runtime-managed memory), proportionally " +
        "shared. For most services nearly all anonymous memory is private, so this is close to the memory the " +
        "process allocated itself. Absent on kernels before 5.7.");

    public static readonly MetricDescriptor ProcessPssFile = Add(
        "process.memory.pss.file", "PSS file", MetricUnit.Bytes, MetricKind.Gauge, "process",
        "/proc/<pid>/smaps_rollup: Pss_File",
        "The part of PSS backed by files: the executable, shared libraries and memory-mapped files, each " +
        "shared page divided among the processes that map it. The kernel can drop clean file pages and read " +
        "them back later, so this part is cheap to reclaim. Absent on kernels before 5.7.");

    public static readonly MetricDescriptor ProcessUss = Add(
        "process.memory.uss", "USS", MetricUnit.Bytes, MetricKind.Gauge, "process",
        "/proc/<pid>/smaps_rollup: Private_Clean + Private_Dirty",
        "Unique set size: resident pages that only this process maps. It is the memory that would be freed " +
        "if the process exited now, and the best figure for a leak in the process itself, because it leaves " +
        "out pages it shares with others. USS ≤ PSS ≤ RSS.");

    public static readonly MetricDescriptor ProcessShared = Add(
        "process.memory.shared", "SHR", MetricUnit.Bytes, MetricKind.Gauge, "process",
        "/proc/<pid>/statm: shared × page size (RssFile + RssShmem in status)",
        "Resident pages that could be shared with other processes: file-backed pages (executable, libraries, " +
        "mapped files) and shared memory. This is top's SHR column. A page counted here may in fact be used " +
        "by this process alone; smaps_rollup's Shared_* fields, which make the difference between RSS and USS, " +
        "count only pages that another process really maps.");

    public static readonly MetricDescriptor ProcessAnon = Add(
        "process.memory.anon", "Anon", MetricUnit.Bytes, MetricKind.Gauge, "process",
        "/proc/<pid>/status: RssAnon",
        "Resident anonymous memory: pages not backed by any file, such as the .NET GC heap, malloc arenas, " +
        "thread stacks and JIT code. It is the part of RSS a program allocates itself; a leak, managed or " +
        "native, shows up here. RSS = Anon + File + Shmem.");

    public static readonly MetricDescriptor ProcessFile = Add(
        "process.memory.file", "File", MetricUnit.Bytes, MetricKind.Gauge, "process",
        "/proc/<pid>/status: RssFile",
        "Resident file-backed memory: pages of the executable, shared libraries and memory-mapped files. " +
        "Clean file pages can be dropped by the kernel under pressure and read back from disk, so growth " +
        "here is rarely a leak.");

    public static readonly MetricDescriptor ProcessShmem = Add(
        "process.memory.shmem", "Shmem", MetricUnit.Bytes, MetricKind.Gauge, "process",
        "/proc/<pid>/status: RssShmem",
        "Resident shared memory: System V shared memory, POSIX shared memory, tmpfs files and shared " +
        "anonymous mappings. Shared memory stays in use after the process unmaps it while another holder " +
        "remains.");

    public static readonly MetricDescriptor ProcessSwap = Add(
        "process.memory.swap", "Swap", MetricUnit.Bytes, MetricKind.Gauge, "process",
        "/proc/<pid>/status: VmSwap",
        "Anonymous memory of the process that the kernel has written out to swap. It is not in RSS any more " +
        "but still belongs to the process and comes back when touched, so RSS + Swap is the true footprint. " +
        "Zero on machines without swap.");

    public static readonly MetricDescriptor ProcessSwapPss = Add(
        "process.memory.swap.pss", "Swap PSS", MetricUnit.Bytes, MetricKind.Gauge, "process",
        "/proc/<pid>/smaps_rollup: SwapPss",
        "Swapped-out memory shared proportionally, the way PSS shares resident memory: a swapped page shared " +
        "by n processes counts 1/n here.");

    public static readonly MetricDescriptor ProcessLazyFree = Add(
        "process.memory.lazyfree", "LazyFree", MetricUnit.Bytes, MetricKind.Gauge, "process",
        "/proc/<pid>/smaps_rollup: LazyFree",
        "Pages the program has released with madvise(MADV_FREE) but the kernel has not reclaimed yet. They " +
        "are still counted in RSS, yet the kernel takes them back at once when it needs memory. Go's runtime " +
        "and some allocators release memory this way, which is why RSS can stay high after memory was " +
        "returned: RSS minus LazyFree is what the process really holds.");

    public static readonly MetricDescriptor ProcessAnonHuge = Add(
        "process.memory.anon_huge", "AnonHuge", MetricUnit.Bytes, MetricKind.Gauge, "process",
        "/proc/<pid>/smaps_rollup: AnonHugePages",
        "Anonymous memory backed by transparent huge pages (2 MiB on x86-64). Included in RSS and Anon. A " +
        "huge page is resident as a whole even if the program touches only a few bytes of it, which can " +
        "inflate RSS for sparse heaps.");

    public static readonly MetricDescriptor ProcessCode = Add(
        "process.memory.code", "CODE", MetricUnit.Bytes, MetricKind.Gauge, "process",
        "/proc/<pid>/statm: text × page size",
        "Size of the program's own executable code mapping (not shared libraries), as top's CODE column " +
        "shows it. It is virtual size: pages of it may not be resident.");

    public static readonly MetricDescriptor ProcessData = Add(
        "process.memory.data", "DATA", MetricUnit.Bytes, MetricKind.Gauge, "process",
        "/proc/<pid>/statm: data × page size (VmData + VmStk)",
        "Size of the private writable mappings plus the main stack, as top's DATA column shows it. It is " +
        "virtual size, so it includes heap ranges that were reserved and never touched; compare it with Anon " +
        "to see how much of it is resident.");

    public static readonly MetricDescriptor ProcessPageTables = Add(
        "process.memory.page_tables", "PageTables", MetricUnit.Bytes, MetricKind.Gauge, "process",
        "/proc/<pid>/status: VmPTE",
        "Kernel memory used for this process's page tables. It is not in RSS but is charged to the process's " +
        "cgroup; it grows with the amount of mapped and touched memory.");

    public static readonly MetricDescriptor ProcessRssPeak = Add(
        "process.memory.rss.peak", "Peak RSS", MetricUnit.Bytes, MetricKind.Gauge, "process",
        "/proc/<pid>/status: VmHWM",
        "The highest RSS the process has reached since it started (its high-water mark). When it is far " +
        "above the current RSS, memory was returned to the system at some point.");

    public static readonly MetricDescriptor ProcessThreads = Add(
        "process.threads", "Threads", MetricUnit.Count, MetricKind.Gauge, "process",
        "/proc/<pid>/status: Threads",
        "Number of threads in the process. Every thread has a stack (8 MiB reserved by default on Linux, " +
        "touched as it grows) and glibc may give it its own malloc arena, so a growing thread count also " +
        "grows memory.");

    public static readonly MetricDescriptor ProcessMallocArenas = Add(
        "process.memory.malloc_arenas", "malloc arenas", MetricUnit.Count, MetricKind.Gauge, "process",
        "/proc/<pid>/maps: anonymous mappings shaped like glibc arena heaps (64 MiB, 64 MiB-aligned, rw-p head + ---p tail or all rw-p), every 10 s",
        "Number of glibc malloc arena heaps in the process, counted from the shape glibc gives them in its address " +
        "space. To avoid lock contention glibc gives threads that call malloc arenas of their own, up to 8 per CPU " +
        "core by default, each a 64 MiB reservation (an arena that outgrows it takes another). Memory freed in an " +
        "arena is kept there for that arena's next allocations, so many busy threads can hold far more than the program " +
        "uses: the classic 'RSS of a multi-threaded service keeps climbing' with a flat managed heap. MALLOC_ARENA_MAX " +
        "caps the count. The main arena (the brk heap) is not counted, nor Go's heap arenas or the .NET GC's regions, " +
        "which can sit at 64 MiB boundaries too. A .NET process has about one per runtime thread that used malloc, small and " +
        "harmless; it is their size that matters.");

    public static readonly MetricDescriptor ProcessMallocArenasSize = Add(
        "process.memory.malloc_arenas.size", "malloc arenas size", MetricUnit.Bytes, MetricKind.Gauge, "process",
        "/proc/<pid>/maps: the rw-p part of the mappings counted in process.memory.malloc_arenas, every 10 s",
        "Address space the glibc malloc arenas have made read-write: how far each arena heap has grown. glibc grows " +
        "a heap by making more of its 64 MiB reservation writable and, when it gives free pages back to the kernel, " +
        "keeps them writable, so this is each heap's high-water mark, not its resident size. glibc gives free pages at " +
        "the top of a heap back by itself; free holes in the middle stay resident until malloc_trim runs. Compare it " +
        "with RSS minus the runtime's committed memory: when most of the native part sits in arenas, MALLOC_ARENA_MAX=2 " +
        "or a different allocator is the lever.");

    // ---- container: the cgroup the process belongs to ----

    public static readonly MetricDescriptor ContainerUsage = Add(
        "container.memory.usage", "cgroup usage", MetricUnit.Bytes, MetricKind.Gauge, "container",
        "cgroup v2 memory.current, or v1 memory.usage_in_bytes, of /proc/<pid>/cgroup",
        "Memory charged to the process's cgroup (its container, systemd service or session): anonymous memory " +
        "and page cache of all processes in the group, plus kernel memory such as page tables and socket " +
        "buffers. The out-of-memory killer compares this figure, not RSS, with the limit. It includes page " +
        "cache that the kernel can reclaim, so it can be well above the sum of the processes' RSS.");

    public static readonly MetricDescriptor ContainerLimit = Add(
        "container.memory.limit", "cgroup limit", MetricUnit.Bytes, MetricKind.Gauge, "container",
        "cgroup v2 memory.max, or v1 memory.limit_in_bytes",
        "The hard memory limit of the process's cgroup. When usage reaches it the kernel first reclaims page " +
        "cache, then the OOM killer ends a process in the group. Absent when no limit is set ('max' in v2, a " +
        "huge number in v1).");

    public static readonly MetricDescriptor ContainerAnon = Add(
        "container.memory.anon", "cgroup anon", MetricUnit.Bytes, MetricKind.Gauge, "container",
        "cgroup memory.stat: anon (v2) or total_rss (v1)",
        "Anonymous memory of every process in the cgroup: memory that cannot be reclaimed without swap. The " +
        "part of the cgroup's usage that counts most against the limit.");

    public static readonly MetricDescriptor ContainerFile = Add(
        "container.memory.file", "cgroup file", MetricUnit.Bytes, MetricKind.Gauge, "container",
        "cgroup memory.stat: file (v2) or total_cache (v1)",
        "Page cache charged to the cgroup: file data read or written by its processes, including files they " +
        "have closed. The kernel reclaims it under pressure, so growth here is rarely a problem.");

    // ---- dotnet.gc: the .NET runtime's view, from the GC APIs in-process, over EventPipe when attached ----

    public static readonly MetricDescriptor GcHeapSize = Add(
        "dotnet.gc.heap.size", "GC heap", MetricUnit.Bytes, MetricKind.Gauge, "dotnet.gc",
        "GC.GetGCMemoryInfo().HeapSizeBytes; attached: the last GC event's heap size after, and the System.Runtime meter's dotnet.gc.last_collection.heap.size summed over generations",
        "Total size of the managed heap after the last GC, free space between objects included. The objects " +
        "the program really holds are this minus the fragmented bytes. Compare it with RSS: the gap is memory " +
        "the GC has committed but not filled, native allocations, code and thread stacks.");

    public static readonly MetricDescriptor GcCommitted = Add(
        "dotnet.gc.committed", "GC committed", MetricUnit.Bytes, MetricKind.Gauge, "dotnet.gc",
        "GC.GetGCMemoryInfo().TotalCommittedBytes; attached: the System.Runtime meter's dotnet.gc.last_collection.memory.committed_size",
        "Memory the GC has committed from the operating system for the managed heap, in use or kept for " +
        "future allocations. It is at least the heap size; the difference is memory the GC holds on to so it " +
        "does not have to ask the OS again. A release (aggressive GC) decommits most of it.");

    public static readonly MetricDescriptor GcFragmented = Add(
        "dotnet.gc.fragmented", "GC fragmented", MetricUnit.Bytes, MetricKind.Gauge, "dotnet.gc",
        "GC.GetGCMemoryInfo().FragmentedBytes; attached: free-list and free-object space after the last GC (GCPerHeapHistory), and the meter's dotnet.gc.last_collection.heap.fragmentation.size",
        "Free space inside the managed heap after the last GC: holes between live objects that a compacting " +
        "GC would squeeze out. Pinned objects and the large object heap, which is not compacted by default, " +
        "keep it high.");

    public static readonly MetricDescriptor GcPromoted = Add(
        "dotnet.gc.promoted", "GC promoted", MetricUnit.Bytes, MetricKind.Gauge, "dotnet.gc",
        "GC.GetGCMemoryInfo().PromotedBytes; attached: the last GC's GCHeapStats promoted sizes (plus the POH's survivors in a gen2 GC)",
        "Bytes that survived the last GC and were promoted to an older generation. Steady promotion into gen2 " +
        "with no full GC reclaiming it is the shape of a managed leak.");

    public static readonly MetricDescriptor GcPinned = Add(
        "dotnet.gc.pinned", "Pinned objects", MetricUnit.Count, MetricKind.Gauge, "dotnet.gc",
        "GC.GetGCMemoryInfo().PinnedObjectsCount; attached: the last GC's GCHeapStats PinnedObjectCount",
        "Objects pinned during the last GC: the GC may not move them, so the space around them cannot be " +
        "compacted and fragmentation grows.");

    public static readonly MetricDescriptor GcGen0Size = Add(
        "dotnet.gc.gen0.size", "Gen0", MetricUnit.Bytes, MetricKind.Gauge, "dotnet.gc",
        "GC.GetGCMemoryInfo().GenerationInfo[0].SizeAfterBytes; attached: the meter's dotnet.gc.last_collection.heap.size for that generation",
        "Size of generation 0, where new small objects are allocated, after the last GC. Usually small after " +
        "a GC: survivors move to gen1.");

    public static readonly MetricDescriptor GcGen1Size = Add(
        "dotnet.gc.gen1.size", "Gen1", MetricUnit.Bytes, MetricKind.Gauge, "dotnet.gc",
        "GC.GetGCMemoryInfo().GenerationInfo[1].SizeAfterBytes; attached: the meter's dotnet.gc.last_collection.heap.size for that generation",
        "Size of generation 1, the buffer between short-lived and long-lived objects, after the last GC.");

    public static readonly MetricDescriptor GcGen2Size = Add(
        "dotnet.gc.gen2.size", "Gen2", MetricUnit.Bytes, MetricKind.Gauge, "dotnet.gc",
        "GC.GetGCMemoryInfo().GenerationInfo[2].SizeAfterBytes; attached: the meter's dotnet.gc.last_collection.heap.size for that generation",
        "Size of generation 2, the long-lived small objects, after the last GC. A gen2 that only grows across " +
        "full GCs holds objects the program still references: look at a heap snapshot to see which.");

    public static readonly MetricDescriptor GcLohSize = Add(
        "dotnet.gc.loh.size", "LOH", MetricUnit.Bytes, MetricKind.Gauge, "dotnet.gc",
        "GC.GetGCMemoryInfo().GenerationInfo[3].SizeAfterBytes; attached: the meter's dotnet.gc.last_collection.heap.size for that generation",
        "Size of the large object heap (objects of 85,000 bytes and more, such as big arrays) after the last " +
        "GC. It is collected only with gen2 and not compacted by default, so it fragments easily.");

    public static readonly MetricDescriptor GcPohSize = Add(
        "dotnet.gc.poh.size", "POH", MetricUnit.Bytes, MetricKind.Gauge, "dotnet.gc",
        "GC.GetGCMemoryInfo().GenerationInfo[4].SizeAfterBytes; attached: the meter's dotnet.gc.last_collection.heap.size for that generation",
        "Size of the pinned object heap (objects allocated pinned, such as I/O buffers from " +
        "GC.AllocateArray(pinned: true)) after the last GC.");

    public static readonly MetricDescriptor GcMemoryLoad = Add(
        "dotnet.gc.memory_load", "Memory load", MetricUnit.Bytes, MetricKind.Gauge, "dotnet.gc",
        "GC.GetGCMemoryInfo().MemoryLoadBytes",
        "Memory in use on the machine, or in the container when it has a limit, as the GC saw it at the last " +
        "GC. The GC becomes more aggressive as this nears the high memory load threshold.");

    public static readonly MetricDescriptor GcAvailable = Add(
        "dotnet.gc.available", "GC available", MetricUnit.Bytes, MetricKind.Gauge, "dotnet.gc",
        "GC.GetGCMemoryInfo().TotalAvailableMemoryBytes",
        "Memory the GC considers available to the process: the container limit, a configured hard limit, or " +
        "the machine's physical memory.");

    public static readonly MetricDescriptor GcAllocated = Add(
        "dotnet.gc.allocated", "Allocated", MetricUnit.Bytes, MetricKind.Counter, "dotnet.gc",
        "GC.GetTotalAllocatedBytes(false); attached: the System.Runtime meter's dotnet.gc.heap.total_allocated",
        "Bytes allocated on the managed heap since the process started, freed or not. Its rate is the " +
        "allocation rate, which drives how often gen0 GCs run.");

    public static readonly MetricDescriptor GcCollections = Add(
        "dotnet.gc.collections", "GCs", MetricUnit.Count, MetricKind.Counter, "dotnet.gc",
        "GC.CollectionCount(0); attached: the sum of the meter's dotnet.gc.collections over generations",
        "Number of garbage collections since the process started, of every generation (a gen2 GC also " +
        "collects gen1 and gen0, and counts once).");

    public static readonly MetricDescriptor GcGen0Collections = Add(
        "dotnet.gc.gen0.collections", "Gen0 GCs", MetricUnit.Count, MetricKind.Counter, "dotnet.gc",
        "GC.CollectionCount(0) − GC.CollectionCount(1); attached: the meter's dotnet.gc.collections{gc.heap.generation=gen0}",
        "Number of GCs that collected gen0 only: the cheap, frequent collections of newly allocated objects. " +
        "Their rate follows the allocation rate; a high rate with little survival is harmless.");

    public static readonly MetricDescriptor GcGen1Collections = Add(
        "dotnet.gc.gen1.collections", "Gen1 GCs", MetricUnit.Count, MetricKind.Counter, "dotnet.gc",
        "GC.CollectionCount(1) − GC.CollectionCount(2); attached: the meter's dotnet.gc.collections{gc.heap.generation=gen1}",
        "Number of GCs that collected gen1 and gen0 but not gen2. The runtime often turns a gen0 collection into a " +
        "gen1 one when gen1 has used its budget; objects that survive gen1 are promoted to gen2.");

    public static readonly MetricDescriptor GcGen2Collections = Add(
        "dotnet.gc.gen2.collections", "Gen2 GCs", MetricUnit.Count, MetricKind.Counter, "dotnet.gc",
        "GC.CollectionCount(2); attached: the meter's dotnet.gc.collections{gc.heap.generation=gen2}",
        "Number of full GCs (gen2, with the large and pinned object heaps), blocking or background.");

    public static readonly MetricDescriptor GcPauseTime = Add(
        "dotnet.gc.pause.time", "GC pause", MetricUnit.Seconds, MetricKind.Counter, "dotnet.gc",
        "GC.GetTotalPauseDuration(); attached: the meter's dotnet.gc.pause.time",
        "Total time the program's threads have been paused by the GC since the process started. Its rate is " +
        "the fraction of time lost to GC pauses.");

    // ---- go.memstats: the Go runtime's runtime.MemStats, polled from the program's net/http/pprof or expvar endpoint ----

    private const string MemStatsSource = "runtime.MemStats.{0}, polled from /debug/pprof/heap?debug=1 (its # runtime.MemStats section) or expvar's /debug/vars (memstats)";

    public static readonly MetricDescriptor GoSys = Add(
        "go.memstats.sys", "Sys", MetricUnit.Bytes, MetricKind.Gauge, "go.memstats", MemStats("Sys"),
        "Virtual memory the Go runtime has obtained from the operating system for everything it manages: the " +
        "heap (HeapSys), goroutine stacks, and the runtime's own structures. It only grows: memory the runtime " +
        "gives back (HeapReleased) is still counted here. Compare it with RSS: RSS above Sys is memory the Go " +
        "runtime does not manage (cgo, C libraries); RSS well below Sys is released or never-touched memory.");

    public static readonly MetricDescriptor GoHeapSys = Add(
        "go.memstats.heap_sys", "HeapSys", MetricUnit.Bytes, MetricKind.Gauge, "go.memstats", MemStats("HeapSys"),
        "Address space the Go runtime has obtained for the heap: HeapInuse + HeapIdle. Like Sys it does not " +
        "shrink; what was returned to the OS is HeapReleased, part of HeapIdle.");

    public static readonly MetricDescriptor GoHeapAlloc = Add(
        "go.memstats.heap_alloc", "HeapAlloc", MetricUnit.Bytes, MetricKind.Gauge, "go.memstats", MemStats("HeapAlloc"),
        "Bytes of heap objects allocated and not yet freed: live objects plus unreachable ones the GC has not " +
        "swept yet. It climbs between GCs and drops at each; its low points follow the live heap.");

    public static readonly MetricDescriptor GoHeapInuse = Add(
        "go.memstats.heap_inuse", "HeapInuse", MetricUnit.Bytes, MetricKind.Gauge, "go.memstats", MemStats("HeapInuse"),
        "Bytes in heap spans that hold at least one object. HeapInuse − HeapAlloc is space in those spans kept " +
        "for objects of their size class: a measure of fragmentation.");

    public static readonly MetricDescriptor GoHeapIdle = Add(
        "go.memstats.heap_idle", "HeapIdle", MetricUnit.Bytes, MetricKind.Gauge, "go.memstats", MemStats("HeapIdle"),
        "Bytes in heap spans with no objects. Part of it was returned to the OS (HeapReleased); the rest, " +
        "HeapIdle − HeapReleased, the runtime keeps for reuse and is still resident. A large HeapIdle − " +
        "HeapReleased after a load peak is retention, not a leak: the scavenger returns it over minutes, or at " +
        "once with debug.FreeOSMemory().");

    public static readonly MetricDescriptor GoHeapReleased = Add(
        "go.memstats.heap_released", "HeapReleased", MetricUnit.Bytes, MetricKind.Gauge, "go.memstats", MemStats("HeapReleased"),
        "Bytes of idle heap the runtime has returned to the OS with madvise. With MADV_DONTNEED (Go 1.16+'s " +
        "default) they leave RSS at once; with MADV_FREE (GODEBUG=madvdontneed=0, the default of Go 1.12–1.15) " +
        "they stay in RSS, counted as LazyFree, until the kernel needs the memory. That is why RSS can stay " +
        "high while HeapReleased rises: the memory is free for the kernel to take, not leaked.");

    public static readonly MetricDescriptor GoStackInuse = Add(
        "go.memstats.stack_inuse", "StackInuse", MetricUnit.Bytes, MetricKind.Gauge, "go.memstats", MemStats("StackInuse"),
        "Bytes in stack spans: goroutine stacks. Grows with the number of goroutines and their depth; a " +
        "goroutine leak shows up here.");

    public static readonly MetricDescriptor GoNextGc = Add(
        "go.memstats.next_gc", "NextGC", MetricUnit.Bytes, MetricKind.Gauge, "go.memstats", MemStats("NextGC"),
        "The heap size at which the next GC starts (the heap goal): the live heap after the last GC times " +
        "1 + GOGC/100, or the soft memory limit (GOMEMLIMIT) if lower.");

    public static readonly MetricDescriptor GoNumGc = Add(
        "go.memstats.num_gc", "NumGC", MetricUnit.Count, MetricKind.Counter, "go.memstats", MemStats("NumGC"),
        "Number of completed GC cycles since the program started. Its rate follows the allocation rate divided " +
        "by the heap goal's headroom.");

    public static readonly MetricDescriptor GoPauseTotal = Add(
        "go.memstats.pause_total", "PauseTotal", MetricUnit.Seconds, MetricKind.Counter, "go.memstats", MemStats("PauseTotalNs") + " / 10^9",
        "Total stop-the-world pause time of all GCs since the program started. Go's GC is concurrent, so this " +
        "is usually small; its rate is the fraction of time the program was stopped.");

    public static readonly MetricDescriptor GoGcCpuFraction = Add(
        "go.memstats.gc_cpu_fraction", "GCCPUFraction", MetricUnit.Ratio, MetricKind.Gauge, "go.memstats", MemStats("GCCPUFraction"),
        "Fraction of the program's available CPU time used by the GC since the program started (0 to 1). " +
        "Above a few percent the program allocates too much for its heap goal: raise GOGC or allocate less.");

    // ---- go.gc: every Go GC and scavenger cycle, from GODEBUG=gctrace=1,scavtrace=1 on the program's standard error ----

    public static readonly MetricDescriptor GoGcHeapGoal = Add(
        "go.gc.heap.goal", "Heap goal", MetricUnit.Bytes, MetricKind.Gauge, "go.gc",
        "gctrace: # MB goal (MiB, rounded down by the runtime)",
        "The heap size at which the GC planned to finish this cycle. The goal is the live heap after the " +
        "previous GC times 1 + GOGC/100, lowered by GOMEMLIMIT; the heap rising to it and falling back at each " +
        "GC is the normal sawtooth.");

    public static readonly MetricDescriptor GoGcHeapStart = Add(
        "go.gc.heap.start", "Heap at GC start", MetricUnit.Bytes, MetricKind.Gauge, "go.gc",
        "gctrace: the first figure of #->#-># MB (MiB, rounded down)",
        "Heap size when the last GC started: the top of the sawtooth, where the heap reached its goal (or the " +
        "program forced a GC).");

    public static readonly MetricDescriptor GoGcHeapEnd = Add(
        "go.gc.heap.end", "Heap at GC end", MetricUnit.Bytes, MetricKind.Gauge, "go.gc",
        "gctrace: the second figure of #->#-># MB (MiB, rounded down)",
        "Heap size when the last GC ended. It can be above the start: the program allocates while the GC marks " +
        "concurrently.");

    public static readonly MetricDescriptor GoGcHeapLive = Add(
        "go.gc.heap.live", "Live heap", MetricUnit.Bytes, MetricKind.Gauge, "go.gc",
        "gctrace: the third figure of #->#-># MB (MiB, rounded down)",
        "Heap the last GC marked reachable: what the program really holds. A live heap that keeps rising from " +
        "GC to GC is the shape of a leak; a flat live heap under a rising RSS is retention or native memory.");

    public static readonly MetricDescriptor GoGcStopTheWorld = Add(
        "go.gc.stw", "STW", MetricUnit.Seconds, MetricKind.Gauge, "go.gc",
        "gctrace: the first + the last clock phase (sweep termination + mark termination)",
        "Wall-clock time the last GC stopped the world: its two short stop-the-world phases. Usually well " +
        "under a millisecond; long ones come from goroutines that cannot be preempted.");

    public static readonly MetricDescriptor GoGcMark = Add(
        "go.gc.mark", "Concurrent mark", MetricUnit.Seconds, MetricKind.Gauge, "go.gc",
        "gctrace: the middle clock phase(s): concurrent mark and scan",
        "Wall-clock time the last GC spent marking concurrently with the program. The program runs meanwhile, " +
        "but allocating goroutines may be drafted to help (assists), which slows them.");

    public static readonly MetricDescriptor GoGcCpu = Add(
        "go.gc.cpu", "GC CPU", MetricUnit.Ratio, MetricKind.Gauge, "go.gc",
        "gctrace: #% after @#s, divided by 100",
        "Share of the program's CPU time spent in GC since it started, as of the last GC (0 to 1). The same " +
        "figure as MemStats' GCCPUFraction.");

    public static readonly MetricDescriptor GoGcCount = Add(
        "go.gc.count", "Go GCs", MetricUnit.Count, MetricKind.Counter, "go.gc",
        "gctrace: gc # (the GC's number)",
        "Number of GC cycles since the program started, from the number of the last gctrace line.");

    public static readonly MetricDescriptor GoScavengerReleased = Add(
        "go.scavenger.released", "Released (total)", MetricUnit.Bytes, MetricKind.Gauge, "go.gc",
        "scavtrace: # KiB total / # KiB now (KiB, rounded down); Go ≤ 1.13: scvg released",
        "Heap memory the Go runtime has returned to the OS so far, as of the last scavenger report: the trace's " +
        "view of HeapReleased. With MADV_FREE (GODEBUG=madvdontneed=0) these pages stay in RSS as LazyFree until " +
        "the kernel needs them.");

    public static readonly MetricDescriptor GoScavengerWork = Add(
        "go.scavenger.work", "Scavenged", MetricUnit.Bytes, MetricKind.Counter, "go.gc",
        "scavtrace: the sum of # KiB work (background and eager) over every report since memlens started reading",
        "Bytes the scavenger returned to the OS, added up over its reports. Its rate is how fast the runtime " +
        "gives memory back; it stays at zero while the heap is busy and rises after load falls.");

    /// <summary>All metrics, ordered by <see cref="MetricDescriptor.Id"/>.</summary>
    public static IReadOnlyList<MetricDescriptor> All => s_all;

    /// <summary>Number of metrics; ids run from 0 to Count − 1.</summary>
    public static int Count => s_all.Count;

    /// <summary>Finds a metric by its dotted name.</summary>
    public static bool TryGet(string name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out MetricDescriptor? metric) =>
        s_byName.TryGetValue(name, out metric);

    private static string MemStats(string field) => string.Format(System.Globalization.CultureInfo.InvariantCulture, MemStatsSource, field);

    private static MetricDescriptor Add(string name, string label, MetricUnit unit, MetricKind kind, string group, string source, string help)
    {
        var m = new MetricDescriptor(s_all.Count, name, label, unit, kind, group, source, help);
        s_all.Add(m);
        s_byName.Add(name, m);
        return m;
    }
}
