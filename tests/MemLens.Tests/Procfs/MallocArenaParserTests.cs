using System.Text;
using MemLens.Procfs;
using Xunit;

namespace MemLens.Tests.Procfs;

public class MallocArenaParserTests
{
    private const long Head = 0x21000; // the 132 KiB a new glibc arena starts with

    private static MallocArenas Parse(string text) => MallocArenaParser.Parse(Encoding.ASCII.GetBytes(text));

    [Fact]
    public void A_go_program_with_cgo_has_four_arenas_and_its_small_heap_is_not_one()
    {
        // Go's heap here is c000000000-c000400000 rw-p + c000400000-c004000000 ---p: exactly a glibc arena's shape.
        var arenas = MallocArenaParser.Parse(Fixture.Bytes("go-memstats-alloc1.maps"));

        Assert.Equal(4, arenas.Count);
        Assert.Equal(4 * Head, arenas.ReadWriteBytes);
    }

    [Fact]
    public void A_go_heap_of_300_MiB_is_not_counted()
    {
        var arenas = MallocArenaParser.Parse(Fixture.Bytes("go-memstats-alloc300.maps"));

        Assert.Equal(4, arenas.Count);
        Assert.Equal(4 * Head, arenas.ReadWriteBytes);
    }

    [Fact]
    public void A_dotnet_process_has_an_arena_per_runtime_thread_and_its_gc_reservation_is_not_one()
    {
        // The spike demo: 15 arenas of 132 KiB to 1 MiB; the GC's last region sits at a 64 MiB boundary and its 46 GiB
        // reservation ends exactly where an arena begins.
        var arenas = MallocArenaParser.Parse(Fixture.Bytes("dotnet-spike.maps"));

        Assert.Equal(15, arenas.Count);
        Assert.True(arenas.ReadWriteBytes is > 15 * Head and < 16L << 20, $"{arenas.ReadWriteBytes} bytes");
    }

    [Fact]
    public void A_dotnet_native_leak_grows_a_few_arena_heaps()
    {
        // The native-leak demo 100 s in: 64 KiB blocks malloc'd from pool threads have grown six heaps, three of them to
        // within 40 KiB of the full 64 MiB; the other twelve are the runtime threads' small arenas.
        var arenas = MallocArenaParser.Parse(Fixture.Bytes("dotnet-native-leak.maps"));

        Assert.Equal(18, arenas.Count);
        Assert.Equal(286_097_408, arenas.ReadWriteBytes); // the sum of the rw-p heads, 272.8 MiB
    }

    [Fact]
    public void The_gc_reservation_that_ends_at_an_arena_is_not_an_arena()
    {
        // From the spike demo: the GC's last committed region at a 64 MiB boundary, then 46 GiB of its reservation
        // that happens to end where a glibc arena begins.
        var arenas = Parse(
            "7fb608000000-7fb608801000 rw-p 00000000 00:00 0 \n" +
            "7fb608801000-7fc1b0000000 ---p 00000000 00:00 0 \n" +
            "7fc1b0000000-7fc1b0021000 rw-p 00000000 00:00 0 \n" +
            "7fc1b0021000-7fc1b4000000 ---p 00000000 00:00 0 \n");

        Assert.Equal(1, arenas.Count);
        Assert.Equal(Head, arenas.ReadWriteBytes);
        Assert.Equal(4, arenas.Lines);
    }

    [Fact]
    public void A_fully_grown_heap_is_one_64_MiB_read_write_mapping()
    {
        var arenas = Parse(
            "7f9be4000000-7f9be8000000 rw-p 00000000 00:00 0 \n" +
            "7f9bf0000000-7f9bf2e36000 rw-p 00000000 00:00 0 \n" +
            "7f9bf2e36000-7f9bf4000000 ---p 00000000 00:00 0 \n");

        Assert.Equal(2, arenas.Count);
        Assert.Equal((64L << 20) + 0x2e36000, arenas.ReadWriteBytes);
    }

    [Theory]
    [InlineData("7f9be4001000-7f9be4022000 rw-p 00000000 00:00 0 \n7f9be4022000-7f9be8001000 ---p 00000000 00:00 0 \n")] // not aligned
    [InlineData("7f9be4000000-7f9be4021000 rw-p 00000000 00:00 0 \n7f9be4021000-7f9bec000000 ---p 00000000 00:00 0 \n")] // 128 MiB in all
    [InlineData("7f9be4000000-7f9be4021000 rw-p 00000000 00:00 0 \n7f9be4022000-7f9be8000000 ---p 00000000 00:00 0 \n")] // a gap between head and tail
    [InlineData("7f9be4000000-7f9be4021000 rw-p 00000000 fe:00 1234                       /tmp/file\n7f9be4021000-7f9be8000000 ---p 00000000 00:00 0 \n")] // file-backed
    [InlineData("7f9be4000000-7f9be4021000 rw-s 00000000 00:01 77                         /dev/zero (deleted)\n7f9be4021000-7f9be8000000 ---p 00000000 00:00 0 \n")] // shared
    [InlineData("7f9be4000000-7f9be4021000 rw-p 00000000 00:00 0                          [heap]\n7f9be4021000-7f9be8000000 ---p 00000000 00:00 0 \n")] // brk heap
    [InlineData("7f9be4000000-7f9be4021000 r--p 00000000 00:00 0 \n7f9be4021000-7f9be8000000 ---p 00000000 00:00 0 \n")] // not writable
    [InlineData("7f9be4000000-7f9bec000000 rw-p 00000000 00:00 0 \n")] // 128 MiB read-write: merged or not malloc's
    [InlineData("c004000000-c008000000 rw-p 00000000 00:00 0 \n")] // a full Go heap arena
    [InlineData("7f9be4000000-7f9be4021000 rw-p 00000000 00:00 0 \n7f9be4021000-7f9be8000000 ---p 00000000 00:00 0")] // tail line cut short
    [InlineData("")]
    [InlineData("garbage\n\n-\n7f9be4000000-zz rw-p 0 0 0\n")]
    public void Other_shapes_are_not_arenas(string maps)
    {
        Assert.Equal(0, Parse(maps).Count);
        Assert.Equal(0, Parse(maps).ReadWriteBytes);
    }

    [Fact]
    public void The_name_glibc_gives_its_arenas_when_asked_counts_as_anonymous()
    {
        var arenas = Parse(
            "7f9be4000000-7f9be4021000 rw-p 00000000 00:00 0                          [anon: glibc: malloc arena]\n" +
            "7f9be4021000-7f9be8000000 ---p 00000000 00:00 0                          [anon: glibc: malloc arena]\n" +
            "7f9bf0000000-7f9bf0021000 rw-p 00000000 00:00 0                          [anon:.NET GC]\n" +
            "7f9bf0021000-7f9bf4000000 ---p 00000000 00:00 0 \n");

        Assert.Equal(1, arenas.Count);
    }

    [Fact]
    public void A_head_at_the_end_of_the_file_without_its_tail_is_not_counted()
    {
        Assert.Equal(0, Parse("7f9be4000000-7f9be4021000 rw-p 00000000 00:00 0 \n").Count);
    }
}
