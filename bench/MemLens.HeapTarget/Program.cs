using System.Diagnostics;
using System.Globalization;

// A heap of a known shape for the heap-snapshot benchmark (docs/benchmarks.md) and the end-to-end tests:
// `MemLens.HeapTarget [objects]` keeps that many small live objects (default 1,000,000), prints
// `ready pid=<pid> objects=<n> heap=<bytes>`, then answers stdin lines:
//   gc   -> one blocking, compacting gen2 GC, `gc <milliseconds>` (the reference the snapshot is compared with)
//   exit -> ends the program.
long count = args.Length > 0 ? long.Parse(args[0], CultureInfo.InvariantCulture) : 1_000_000;
const int ChunkSize = 8192;
var chunks = new Node[(count + ChunkSize - 1) / ChunkSize][];
for (long i = 0; i < count; i++)
{
    var chunk = chunks[i / ChunkSize] ??= new Node[ChunkSize];
    // Each node points at the previous one, so the GC's mark phase follows references as in a real object graph.
    chunk[i % ChunkSize] = new Node(i, i > 0 ? chunks[(i - 1) / ChunkSize][(i - 1) % ChunkSize] : null);
}

GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ready pid={Environment.ProcessId} objects={count} heap={GC.GetGCMemoryInfo().HeapSizeBytes}"));
while (Console.ReadLine() is { } line)
{
    if (line == "gc")
    {
        var watch = Stopwatch.StartNew();
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"gc {watch.Elapsed.TotalMilliseconds:0.0}"));
    }
    else if (line == "exit")
    {
        break;
    }
}

GC.KeepAlive(chunks);

internal sealed class Node(long id, Node? previous)
{
    public long Id { get; } = id;

    public Node? Previous { get; } = previous;
}
