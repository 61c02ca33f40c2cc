using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using MemLens.Metrics;
using MemLens.Procfs;
using MemLens.Sampling;
using Xunit;

namespace MemLens.Tests.Procfs;

public sealed partial class ArenaSourceTests
{
    private const int Threads = 16;
    private const int BlocksPerThread = 64;
    private const int BlockBytes = 64 * 1024; // under glibc's mmap threshold (128 KiB): served from the thread's arena

    [Fact]
    public unsafe void Threads_that_malloc_get_arenas_and_the_source_counts_what_glibc_itself_reports()
    {
        using var source = new ArenaSource(Environment.ProcessId);
        var before = Sample(source);

        // 16 threads each hold 4 MiB of malloc'd blocks at the same time: glibc gives each thread an arena of its own
        // (up to 8 per core; beyond that threads share), so the arenas must grow by about 64 MiB in all.
        using var allocated = new Barrier(Threads + 1);
        using var release = new Barrier(Threads + 1);
        var threads = Enumerable.Range(0, Threads).Select(_ => new Thread(() =>
        {
            var blocks = new nint[BlocksPerThread];
            for (int i = 0; i < blocks.Length; i++)
            {
                byte* p = (byte*)NativeMemory.Alloc(BlockBytes);
                new Span<byte>(p, BlockBytes).Fill(1);
                blocks[i] = (nint)p;
            }

            allocated.SignalAndWait();
            release.SignalAndWait();
            foreach (nint p in blocks)
            {
                NativeMemory.Free((void*)p);
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        allocated.SignalAndWait();
        try
        {
            // Other tests run in this process meanwhile and may create arenas: take maps and glibc's own report until
            // two maps reads around one report agree.
            MallocArenas arenas = default;
            GlibcArenas glibc = default;
            for (int attempt = 0; attempt < 10; attempt++)
            {
                arenas = Sample(source).Arenas;
                glibc = GlibcArenas.Read();
                if (Sample(source).Arenas == arenas)
                {
                    break;
                }
            }

            // glibc's limit is 8 arenas per online core, the main arena included (malloc/arena.c, NARENAS_FROM_NCORES).
            int expectedAtLeast = Math.Min(Threads, (8 * Environment.ProcessorCount) - 1);
            Assert.True(glibc.NonMainArenas >= expectedAtLeast, $"glibc reports {glibc.NonMainArenas} arenas besides the main one, expected at least {expectedAtLeast}");
            Assert.True(arenas.Count >= glibc.NonMainArenas, $"maps: {arenas.Count} arena heaps, glibc: {glibc.NonMainArenas} arenas");
            Assert.Equal(glibc.NonMainArenasOver64MiB == 0 ? glibc.NonMainArenas : arenas.Count, arenas.Count);
            // malloc_info's <aspace type="mprotect"> is, per arena, the sum of its heaps' read-write parts: what maps shows.
            Assert.Equal(glibc.MprotectBytes, arenas.ReadWriteBytes);
            Assert.True(arenas.ReadWriteBytes - before.Arenas.ReadWriteBytes >= Threads * BlocksPerThread * (long)BlockBytes / 2,
                $"arenas grew from {before.Arenas.ReadWriteBytes} to {arenas.ReadWriteBytes} bytes");
        }
        finally
        {
            release.SignalAndWait();
            threads.ForEach(t => t.Join());
        }
    }

    [Fact]
    public void Writes_both_metrics_from_a_maps_file()
    {
        using var proc = FakeProc.With(4242, ("maps", Fixture.Bytes("go-memstats-alloc1.maps")));
        using var source = new ArenaSource(4242, proc.Root, TimeSpan.FromSeconds(10));
        var writer = new NonAllocatingWriter();

        source.Sample(writer);

        Assert.Equal(4, writer[MetricCatalog.ProcessMallocArenas]);
        Assert.Equal(4 * 0x21000, writer[MetricCatalog.ProcessMallocArenasSize]);
        Assert.Equal("malloc_arenas", source.Name);
        Assert.Equal(TimeSpan.FromSeconds(10), source.Interval);
    }

    [Fact]
    public void Reads_a_maps_file_longer_than_one_read()
    {
        // The kernel hands maps out a page at a time; a file of many lines must be read to its end.
        string head = string.Concat(Enumerable.Range(0, 2000).Select(i => $"7f0000{i:x6}000-7f0000{i:x6}800 r--p 00000000 fe:00 1234                       /usr/lib/x{i}.so\n"));
        string arena = "7f9be4000000-7f9be4021000 rw-p 00000000 00:00 0 \n7f9be4021000-7f9be8000000 ---p 00000000 00:00 0 \n";
        using var proc = FakeProc.With(4242, ("maps", System.Text.Encoding.ASCII.GetBytes(head + arena)));
        using var source = new ArenaSource(4242, proc.Root, TimeSpan.FromSeconds(10));
        var writer = new NonAllocatingWriter();

        source.Sample(writer);

        Assert.Equal(1, writer[MetricCatalog.ProcessMallocArenas]);
        Assert.Equal(2002, source.Last.Lines);
    }

    [Fact]
    public void An_empty_maps_is_an_exit_not_zero_arenas()
    {
        using var proc = FakeProc.With(4242, ("maps", []));
        using var source = new ArenaSource(4242, proc.Root, TimeSpan.FromSeconds(10));
        var writer = new NonAllocatingWriter();

        Assert.Equal(4242, Assert.Throws<TargetExitedException>(() => source.Sample(writer)).ProcessId);
        Assert.False(writer.Has(MetricCatalog.ProcessMallocArenas));
    }

    [Fact]
    public void A_child_that_exits_gives_TargetExitedException()
    {
        var child = ProcfsSourceLiveTests.StartSleep();
        using var source = new ArenaSource(child.Pid);
        int pid = child.Pid;
        child.Dispose();

        Assert.Equal(pid, Assert.Throws<TargetExitedException>(() => source.Sample(new NonAllocatingWriter())).ProcessId);
    }

    [Fact]
    public void Opened_beside_smaps_rollup_for_a_process()
    {
        var notes = new List<string>();
        var sources = ProcessSources.Open(Environment.ProcessId, TimeSpan.FromSeconds(1), notes);
        try
        {
            var arenas = Assert.Single(sources.OfType<ArenaSource>());
            Assert.Equal(ArenaSource.DefaultInterval, arenas.Interval);
            Assert.Contains(sources, s => s is SmapsRollupSource);
        }
        finally
        {
            foreach (var s in sources)
            {
                s.Dispose();
            }
        }
    }

    private static (MallocArenas Arenas, NonAllocatingWriter Writer) Sample(ArenaSource source)
    {
        var writer = new NonAllocatingWriter();
        source.Sample(writer);
        return (source.Last, writer);
    }

    /// <summary>glibc's own account of its arenas, from malloc_info(3): the reference the source is checked against.</summary>
    private readonly partial record struct GlibcArenas(int NonMainArenas, int NonMainArenasOver64MiB, long MprotectBytes)
    {
        public static GlibcArenas Read()
        {
            string xml = MallocInfo();
            int arenas = 0, over = 0;
            long mprotect = 0;
            foreach (Match heap in HeapPattern().Matches(xml))
            {
                if (heap.Groups["nr"].Value == "0")
                {
                    continue; // the main arena lives in the brk heap, not in 64 MiB heaps
                }

                arenas++;
                long total = long.Parse(AspacePattern("total").Match(heap.Value).Groups[1].Value, CultureInfo.InvariantCulture);
                mprotect += long.Parse(AspacePattern("mprotect").Match(heap.Value).Groups[1].Value, CultureInfo.InvariantCulture);
                if (total > 64L << 20)
                {
                    over++;
                }
            }

            return new GlibcArenas(arenas, over, mprotect);
        }

        private static Regex AspacePattern(string type) => new($"<aspace type=\"{type}\" size=\"(\\d+)\"/>", RegexOptions.CultureInvariant);

        [GeneratedRegex("<heap nr=\"(?<nr>\\d+)\">.*?</heap>", RegexOptions.Singleline | RegexOptions.CultureInvariant)]
        private static partial Regex HeapPattern();

        private static unsafe string MallocInfo()
        {
            // open_memstream fills buffer and size when the stream is flushed or closed: read them after fclose.
            nint buffer = 0;
            nuint size = 0;
            nint stream = Native.OpenMemstream(&buffer, &size);
            Assert.NotEqual(0, stream);
            try
            {
                Assert.Equal(0, Native.MallocInfo(0, stream));
            }
            finally
            {
                Assert.Equal(0, Native.FClose(stream));
            }

            try
            {
                return Marshal.PtrToStringUTF8(buffer, (int)size);
            }
            finally
            {
                NativeMemory.Free((void*)buffer);
            }
        }
    }

    private static unsafe partial class Native
    {
        [LibraryImport("libc", EntryPoint = "open_memstream")]
        public static partial nint OpenMemstream(nint* buffer, nuint* size);

        [LibraryImport("libc", EntryPoint = "malloc_info")]
        public static partial int MallocInfo(int options, nint stream);

        [LibraryImport("libc", EntryPoint = "fclose")]
        public static partial int FClose(nint stream);
    }
}
