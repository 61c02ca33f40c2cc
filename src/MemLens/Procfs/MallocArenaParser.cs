using System.Buffers.Text;

namespace MemLens.Procfs;

/// <summary>glibc malloc arena heaps found in one read of <c>/proc/&lt;pid&gt;/maps</c>.</summary>
/// <param name="Count">Mappings shaped like a glibc arena heap (each non-main arena has one, more once it outgrows 64 MiB).</param>
/// <param name="ReadWriteBytes">Bytes mapped read-write in them: how far each heap has grown (glibc grows a heap with mprotect and does not shrink that mapping back when it gives pages to the kernel, so this is each heap's high-water mark, not what is resident now).</param>
/// <param name="Lines">Lines of maps read (complete lines only).</param>
public readonly record struct MallocArenas(int Count, long ReadWriteBytes, int Lines);

/// <summary>
/// Recognises glibc's non-main malloc arenas in <c>/proc/&lt;pid&gt;/maps</c>, from the shape glibc gives them
/// (malloc/arena.c, <c>new_heap</c>): each arena heap is one anonymous private mapping of HEAP_MAX_SIZE (64 MiB on
/// 64-bit), aligned to 64 MiB, reserved PROT_NONE and made read-write from its start as the arena grows. In maps a
/// heap is therefore either an <c>rw-p</c> head at a 64 MiB boundary followed at once by a <c>---p</c> tail ending
/// exactly 64 MiB after the head's start, or a whole 64 MiB <c>rw-p</c> mapping at a 64 MiB boundary. The main
/// arena (the <c>[heap]</c> of brk) and chunks malloc maps on their own (128 KiB and more) are not arenas.
/// </summary>
/// <remarks>
/// <para>What is left out on purpose, checked on this machine's real processes (see docs/metrics.md):</para>
/// <list type="bullet">
/// <item>Go's heap: Go reserves 64 MiB heap arenas from 0xc000000000 upward (runtime/malloc.go's first address hint)
/// and maps them read-write as its heap grows, so a Go heap under 64 MiB looks exactly like a glibc head and tail.
/// Anything in [0xc000000000, 0x10000000000) is skipped; glibc's mmap area lies near the top of the address space.</item>
/// <item>.NET GC regions: committed regions inside the GC's reservation are <c>rw-p</c> pieces between <c>---p</c>
/// stretches of the reservation. A region can start at a 64 MiB boundary, but the reservation after it does not end
/// exactly 64 MiB later unless another committed region happens to start there; the exact 64 MiB total keeps those
/// out in every process looked at (a spike demo's last region was followed by 46 GiB of reservation).</item>
/// <item>Neighbouring heaps that the kernel merged into one mapping (a full heap right before another heap's head,
/// both rw-p) are not recognised: counting merged runs of several 64 MiB would also count runs of GC regions. The
/// count is then a lower bound.</item>
/// </list>
/// Never throws; garbled lines are skipped.
/// </remarks>
public static class MallocArenaParser
{
    /// <summary>glibc's HEAP_MAX_SIZE on 64-bit: 2 × DEFAULT_MMAP_THRESHOLD_MAX = 64 MiB.</summary>
    public const long HeapSize = 64L << 20;

    /// <summary>Start of the address range Go reserves its heap in (0x00c0 &lt;&lt; 32).</summary>
    internal const ulong GoHeapHintStart = 0xc0_0000_0000;

    /// <summary>End of that range: the next address hint is 0x01c0 &lt;&lt; 32, and nothing of glibc's lives below 1 TiB here.</summary>
    internal const ulong GoHeapHintEnd = 0x100_0000_0000;

    /// <summary>Parses the whole content of a maps file.</summary>
    public static MallocArenas Parse(ReadOnlySpan<byte> content)
    {
        int count = 0, lines = 0;
        long rw = 0;
        bool pending = false;
        ulong pendingStart = 0, pendingEnd = 0;
        while (ProcText.NextLine(ref content, out var line))
        {
            lines++;
            if (!TryParseLine(line, out ulong start, out ulong end, out var kind))
            {
                if (pending)
                {
                    Flush(ref count, ref rw, pendingStart, pendingEnd);
                    pending = false;
                }

                continue;
            }

            if (pending)
            {
                if (kind == MappingKind.AnonNone && start == pendingEnd && end - pendingStart == (ulong)HeapSize)
                {
                    count++;
                    rw += (long)(pendingEnd - pendingStart);
                    pending = false;
                    continue;
                }

                Flush(ref count, ref rw, pendingStart, pendingEnd);
                pending = false;
            }

            if (kind == MappingKind.AnonReadWrite && start % (ulong)HeapSize == 0 && end - start <= (ulong)HeapSize
                && !(start >= GoHeapHintStart && start < GoHeapHintEnd))
            {
                pending = true;
                pendingStart = start;
                pendingEnd = end;
            }
        }

        if (pending)
        {
            Flush(ref count, ref rw, pendingStart, pendingEnd);
        }

        return new MallocArenas(count, rw, lines);
    }

    /// <summary>An aligned rw-p mapping not followed by its tail: a heap only if it is a whole, fully grown heap.</summary>
    private static void Flush(ref int count, ref long rw, ulong start, ulong end)
    {
        if (end - start == (ulong)HeapSize)
        {
            count++;
            rw += HeapSize;
        }
    }

    private enum MappingKind
    {
        Other,
        AnonReadWrite,
        AnonNone,
    }

    /// <summary>
    /// Reads <c>start-end perms offset dev inode [path]</c>. Anonymous means inode 0 and no path, or the name glibc
    /// gives its arenas when asked to (<c>[anon: glibc: malloc arena]</c>, tunable glibc.mem.decorate_maps).
    /// </summary>
    private static bool TryParseLine(ReadOnlySpan<byte> line, out ulong start, out ulong end, out MappingKind kind)
    {
        start = end = 0;
        kind = MappingKind.Other;
        int dash = line.IndexOf((byte)'-');
        if (dash <= 0 || !TryParseHex(line[..dash], out start))
        {
            return false;
        }

        line = line[(dash + 1)..];
        if (!NextField(ref line, out var endText) || !TryParseHex(endText, out end) || end <= start)
        {
            return false;
        }

        if (!NextField(ref line, out var perms) || perms.Length != 4
            || !NextField(ref line, out _) || !NextField(ref line, out _) || !NextField(ref line, out var inode))
        {
            return false;
        }

        var path = ProcText.Trim(line);
        bool anonymous = inode.SequenceEqual("0"u8) && (path.IsEmpty || path.SequenceEqual("[anon: glibc: malloc arena]"u8));
        if (anonymous && perms.SequenceEqual("rw-p"u8))
        {
            kind = MappingKind.AnonReadWrite;
        }
        else if (anonymous && perms.SequenceEqual("---p"u8))
        {
            kind = MappingKind.AnonNone;
        }

        return true;
    }

    /// <summary>Takes the text up to the next space off <paramref name="rest"/> (the whole rest when there is none).</summary>
    private static bool NextField(ref ReadOnlySpan<byte> rest, out ReadOnlySpan<byte> field)
    {
        int space = rest.IndexOf((byte)' ');
        if (space < 0)
        {
            field = rest;
            rest = default;
            return !field.IsEmpty;
        }

        field = rest[..space];
        rest = rest[(space + 1)..];
        return !field.IsEmpty;
    }

    /// <summary>A whole field of lowercase or uppercase hex digits, as maps writes addresses.</summary>
    private static bool TryParseHex(ReadOnlySpan<byte> s, out ulong value) =>
        Utf8Parser.TryParse(s, out value, out int consumed, 'x') && consumed == s.Length;
}
