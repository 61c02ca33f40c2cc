using System.IO.Hashing;
using System.Runtime.InteropServices;
using System.Text;
using MemLens.Snapshots;

namespace MemLens.Tool.Snapshots;

/// <summary>
/// <c>memlens diff</c>'s comparison of two snapshot files in bounded memory, whatever their size: the files are
/// streamed (<see cref="SnapshotFile.Scan(string, Action{string, long, long, long?})"/>) and aggregated per type under a
/// 64-bit hash of its name (32 bytes a type in a sorted array, not the names themselves), then streamed once more to name
/// the <c>top</c> rows, the only names kept. The retention trees (bounded by <see cref="SnapshotFile.MaxRetentionNodes"/>)
/// come whole with the headers and give the top rows their "held by".
/// Two different names with the same hash would be merged: with a million types, about one chance in 10^7.
/// Same rows and order as <see cref="SnapshotDiff"/> (which compares snapshots held in memory).
/// </summary>
internal sealed class FileDiff
{
    private FileDiff(SnapshotHeader before, SnapshotHeader after, TypeGrowth[] top, int rowCount)
    {
        Before = before;
        After = after;
        Top = top;
        RowCount = rowCount;
    }

    public SnapshotHeader Before { get; }

    public SnapshotHeader After { get; }

    /// <summary>The first rows of the diff, in <see cref="SnapshotDiff.Rows"/>' order.</summary>
    public IReadOnlyList<TypeGrowth> Top { get; }

    /// <summary>Types present in either file.</summary>
    public int RowCount { get; }

    public long BytesDelta => After.TotalBytes - Before.TotalBytes;

    public long CountDelta => After.TotalObjects - Before.TotalObjects;

    /// <summary>Compares the two files; <paramref name="byRetained"/> orders by retained bytes added (<see cref="SnapshotDiff.OrderByRetained"/>).</summary>
    /// <exception cref="SnapshotFileException">Either file is missing, unreadable, too big or not a valid snapshot.</exception>
    public static FileDiff Compute(string beforePath, string afterPath, int top, bool byRetained = false)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(top, 1);
        var (before, a) = Aggregate(beforePath);
        var (after, b) = Aggregate(afterPath);
        int rowCount = 0;
        for (int i = 0, j = 0; i < a.Length || j < b.Length; rowCount++)
        {
            if (j == b.Length || (i < a.Length && a[i].Hash < b[j].Hash))
            {
                i++;
            }
            else if (i == a.Length || b[j].Hash < a[i].Hash)
            {
                j++;
            }
            else
            {
                i++;
                j++;
            }
        }

        // The top rows by the diff's order; the queue's first element is the one that would be shown last.
        Comparison<TypeGrowth> order = byRetained ? SnapshotDiff.OrderByRetained : SnapshotDiff.Order;
        var best = new PriorityQueue<TypeGrowth, TypeGrowth>(top + 1, Comparer<TypeGrowth>.Create((x, y) => order(y, x)));
        // As SnapshotDiff: retained figures when the second snapshot has retention data, the first's only when it has too.
        bool retainedAfter = after.Retention is not null;
        bool retainedBefore = retainedAfter && before.Retention is not null;
        void Offer(string name, long count, long bytes)
        {
            ulong hash = Hash(name);
            int i = Find(a, hash);
            int j = Find(b, hash);
            // Offered once per name (it may be in both files): marked on the side that has it, by a negative count.
            ref var mark = ref i >= 0 ? ref a[i] : ref b[j];
            if (mark.Count < 0)
            {
                return;
            }

            var row = new TypeGrowth(name, i >= 0 ? a[i].Count : 0, j >= 0 ? b[j].Count : 0, i >= 0 ? a[i].Bytes : 0, j >= 0 ? b[j].Bytes : 0)
            {
                RetainedBefore = retainedBefore ? (i >= 0 ? a[i].Retained : 0) : null,
                RetainedAfter = retainedAfter ? (j >= 0 ? b[j].Retained : 0) : null,
            };
            mark.Count = ~mark.Count;
            if (best.Count < top)
            {
                best.Enqueue(row, row);
            }
            else if (order(row, best.Peek()) < 0)
            {
                best.DequeueEnqueue(row, row);
            }
        }

        SnapshotFile.Scan(beforePath, Offer);
        SnapshotFile.Scan(afterPath, Offer);
        var rows = new TypeGrowth[best.Count];
        var heldBy = after.Retention is { } tree ? new HeldByIndex(before.Retention, tree) : null;
        for (int i = rows.Length - 1; i >= 0; i--)
        {
            var row = best.Dequeue();
            rows[i] = heldBy is null ? row : row with { HeldBy = heldBy.For(row.Name) };
        }

        return new FileDiff(before, after, rows, rowCount);
    }

    /// <summary>One file's entries as (hash of the name, count, bytes, retained bytes), sorted by hash, one per name (32 bytes a type).</summary>
    private static (SnapshotHeader Header, Entry[] Entries) Aggregate(string path)
    {
        var list = new List<Entry>();
        var header = SnapshotFile.Scan(path, (name, count, bytes, retained) => list.Add(new Entry(Hash(name), count, bytes, retained ?? 0)));
        var entries = CollectionsMarshal.AsSpan(list);
        entries.Sort(static (x, y) => x.Hash.CompareTo(y.Hash));
        int n = 0;
        for (int i = 0; i < entries.Length; i++)
        {
            if (n > 0 && entries[n - 1].Hash == entries[i].Hash)
            {
                entries[n - 1].Count += entries[i].Count; // the same name twice in a file: one type (the header checked the sums)
                entries[n - 1].Bytes += entries[i].Bytes;
                entries[n - 1].Retained = entries[n - 1].Retained > long.MaxValue - entries[i].Retained ? long.MaxValue : entries[n - 1].Retained + entries[i].Retained;
            }
            else
            {
                entries[n++] = entries[i];
            }
        }

        return (header, entries[..n].ToArray());
    }

    private static int Find(Entry[] entries, ulong hash)
    {
        int lo = 0;
        int hi = entries.Length - 1;
        while (lo <= hi)
        {
            int mid = lo + ((hi - lo) >> 1);
            if (entries[mid].Hash == hash)
            {
                return mid;
            }

            if (entries[mid].Hash < hash)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return -1;
    }

    /// <summary><see cref="SnapshotDiff"/>'s order: bytes added descending, then count added, then name.</summary>
    private static ulong Hash(string name)
    {
        int max = Encoding.UTF8.GetMaxByteCount(name.Length);
        byte[]? rented = max > 1024 ? System.Buffers.ArrayPool<byte>.Shared.Rent(max) : null;
        Span<byte> utf8 = rented ?? stackalloc byte[1024];
        try
        {
            int n = Encoding.UTF8.GetBytes(name, utf8);
            return XxHash3.HashToUInt64(utf8[..n]);
        }
        finally
        {
            if (rented is not null)
            {
                System.Buffers.ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    private struct Entry(ulong hash, long count, long bytes, long retained)
    {
        public readonly ulong Hash = hash;
        public long Count = count;
        public long Bytes = bytes;
        public long Retained = retained;
    }
}
