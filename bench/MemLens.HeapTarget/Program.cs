using System.Diagnostics;
using System.Globalization;

// A heap of a known shape for the heap-snapshot benchmark (docs/benchmarks.md) and the end-to-end tests:
// `MemLens.HeapTarget [objects] [chain|flat]` keeps that many small live `Node` objects (default 1,000,000):
//   chain (default) -> in arrays of 8,192, each node pointing at the previous one (a deep object graph);
//   flat            -> all in one array held by a static field, no node pointing at another (one huge array).
// It prints `ready pid=<pid> objects=<n> heap=<bytes> live=<bytes>` (heap: GC.GetGCMemoryInfo().HeapSizeBytes after a
// full compacting GC; live: the same less its FragmentedBytes, the bytes of live objects as the runtime counts them),
// then answers stdin lines:
//   gc   -> one blocking, compacting gen2 GC, `gc <milliseconds> heap=<bytes> live=<bytes>` (the reference a snapshot is compared with)
//   exit -> ends the program.
long count = args.Length > 0 ? long.Parse(args[0], CultureInfo.InvariantCulture) : 1_000_000;
bool flat = args.Length > 1 && args[1] == "flat";
if (flat)
{
    var all = new Node[count];
    for (long i = 0; i < count; i++)
    {
        all[i] = new Node(i, null);
    }

    Heap.Flat = all;
}
else
{
    const int ChunkSize = 8192;
    var chunks = new Node[(count + ChunkSize - 1) / ChunkSize][];
    for (long i = 0; i < count; i++)
    {
        var chunk = chunks[i / ChunkSize] ??= new Node[ChunkSize];
        // Each node points at the previous one, so the GC's mark phase follows references as in a real object graph.
        chunk[i % ChunkSize] = new Node(i, i > 0 ? chunks[(i - 1) / ChunkSize][(i - 1) % ChunkSize] : null);
    }

    Heap.Chunks = chunks;
}

Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ready pid={Environment.ProcessId} objects={count} {FullGc()}"));
while (Console.ReadLine() is { } line)
{
    if (line == "gc")
    {
        var watch = Stopwatch.StartNew();
        string figures = FullGc();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"gc {watch.Elapsed.TotalMilliseconds:0.0} {figures}"));
    }
    else if (line == "exit")
    {
        break;
    }
}

static string FullGc()
{
    GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
    var info = GC.GetGCMemoryInfo(GCKind.FullBlocking);
    return string.Create(CultureInfo.InvariantCulture, $"heap={info.HeapSizeBytes} live={info.HeapSizeBytes - info.FragmentedBytes}");
}

internal static class Heap
{
    public static Node[][]? Chunks;
    public static Node[]? Flat;
}

internal sealed class Node(long id, Node? previous)
{
    public long Id { get; } = id;

    public Node? Previous { get; } = previous;
}
