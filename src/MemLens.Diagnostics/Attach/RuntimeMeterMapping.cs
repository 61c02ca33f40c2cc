using MemLens.Metrics;

namespace MemLens.Diagnostics.Attach;

/// <summary>
/// Maps the instruments of the runtime's <c>System.Runtime</c> meter (.NET 9+), as MetricsEventSource publishes
/// them over EventPipe, onto MemLens metrics. Per-generation instruments (tag <c>gc.heap.generation</c>) are kept
/// per generation and summed where MemLens has one total.
/// </summary>
internal sealed class RuntimeMeterMapping
{
    private static readonly string[] s_generations = ["gen0", "gen1", "gen2", "loh", "poh"];
    private static readonly MetricDescriptor[] s_generationSize =
        [MetricCatalog.GcGen0Size, MetricCatalog.GcGen1Size, MetricCatalog.GcGen2Size, MetricCatalog.GcLohSize, MetricCatalog.GcPohSize];

    /// <summary>
    /// MetricsEventSource's <c>Metrics</c> argument naming just these instruments (<c>meter\instrument</c>, comma
    /// separated): the whole <c>System.Runtime</c> meter (CPU time, working set, thread pool, JIT …) took about 2 ms
    /// of the target's time per round.
    /// </summary>
    public const string InstrumentFilter =
        "System.Runtime\\dotnet.gc.collections,System.Runtime\\dotnet.gc.heap.total_allocated," +
        "System.Runtime\\dotnet.gc.last_collection.memory.committed_size,System.Runtime\\dotnet.gc.last_collection.heap.size," +
        "System.Runtime\\dotnet.gc.last_collection.heap.fragmentation.size,System.Runtime\\dotnet.gc.pause.time";

    private readonly double?[] _heapSize = new double?[5];
    private readonly double?[] _fragmentation = new double?[5];
    private readonly double?[] _collections = new double?[3];

    /// <summary>
    /// Applies one published value; calls <paramref name="write"/> for every MemLens metric it determines.
    /// Returns false for instruments MemLens does not use.
    /// </summary>
    public bool Apply(string instrument, string tags, double value, Action<MetricDescriptor, double> write)
    {
        switch (instrument)
        {
            case "dotnet.gc.last_collection.memory.committed_size":
                write(MetricCatalog.GcCommitted, value);
                return true;
            case "dotnet.gc.heap.total_allocated":
                write(MetricCatalog.GcAllocated, value);
                return true;
            case "dotnet.gc.pause.time":
                write(MetricCatalog.GcPauseTime, value);
                return true;
            case "dotnet.gc.last_collection.heap.size":
                return ApplyPerGeneration(_heapSize, tags, value, (g, v) => write(s_generationSize[g], v), MetricCatalog.GcHeapSize, write);
            case "dotnet.gc.last_collection.heap.fragmentation.size":
                return ApplyPerGeneration(_fragmentation, tags, value, null, MetricCatalog.GcFragmented, write);
            case "dotnet.gc.collections":
                int gen = GenerationOf(tags);
                if (gen is < 0 or > 2)
                {
                    return false;
                }

                _collections[gen] = value;
                write(gen switch { 0 => MetricCatalog.GcGen0Collections, 1 => MetricCatalog.GcGen1Collections, _ => MetricCatalog.GcGen2Collections }, value);
                if (_collections[0] is { } c0 && _collections[1] is { } c1 && _collections[2] is { } c2)
                {
                    write(MetricCatalog.GcCollections, c0 + c1 + c2);
                }

                return true;
            default:
                return false;
        }
    }

    private static bool ApplyPerGeneration(double?[] slots, string tags, double value, Action<int, double>? perGeneration,
        MetricDescriptor total, Action<MetricDescriptor, double> write)
    {
        int gen = GenerationOf(tags);
        if (gen < 0)
        {
            return false;
        }

        slots[gen] = value;
        perGeneration?.Invoke(gen, value);
        double sum = 0;
        foreach (var v in slots)
        {
            if (v is null)
            {
                return true; // the total waits until every generation of this round has been seen once
            }

            sum += v.Value;
        }

        write(total, sum);
        return true;
    }

    /// <summary>Reads <c>gc.heap.generation=gen1</c> out of MetricsEventSource's tag text (<c>k=v,k=v</c>).</summary>
    internal static int GenerationOf(string tags)
    {
        const string key = "gc.heap.generation=";
        int at = tags.IndexOf(key, StringComparison.Ordinal);
        if (at < 0)
        {
            return -1;
        }

        var rest = tags.AsSpan(at + key.Length);
        int comma = rest.IndexOf(',');
        var name = comma < 0 ? rest : rest[..comma];
        for (int i = 0; i < s_generations.Length; i++)
        {
            if (name.SequenceEqual(s_generations[i]))
            {
                return i;
            }
        }

        return -1;
    }
}
