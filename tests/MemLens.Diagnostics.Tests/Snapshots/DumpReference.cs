using System.Diagnostics;
using System.Globalization;
using Microsoft.Diagnostics.Runtime;

namespace MemLens.Diagnostics.Tests.Snapshots;

/// <summary>
/// An independent reference for retained sizes: a core dump of the process written by the runtime's own
/// <c>createdump</c>, walked with ClrMD (objects, references including dependent handles, GC roots, static fields),
/// and retained bytes computed by brute force — the bytes reachable from all roots, less those still reachable once
/// one holder is cut off. No dominator tree, no EventPipe: nothing shared with what it checks.
/// </summary>
internal sealed class DumpReference
{
    private readonly Dictionary<ulong, int> _index = [];
    private readonly List<ulong> _addresses = [];
    private readonly List<long> _sizes = [];
    private readonly List<string> _types = [];
    private readonly List<int[]> _references = [];
    private readonly List<int> _roots = [];

    private DumpReference()
    {
    }

    /// <summary>Static object fields with a value: label <c>static Type.Field</c> → (slot address, value object).</summary>
    public Dictionary<string, (ulong Slot, int Value)> Statics { get; } = new(StringComparer.Ordinal);

    public int ObjectCount => _addresses.Count;

    /// <summary>Writes a dump of <paramref name="pid"/> with its heap to <paramref name="path"/> using the runtime's createdump.</summary>
    public static async Task WriteDumpAsync(int pid, string path)
    {
        string coreclr = File.ReadLines($"/proc/{pid}/maps").Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(f => f.Length >= 6 && f[5].EndsWith("/libcoreclr.so", StringComparison.Ordinal)).Select(f => f[5]).First();
        string createdump = Path.Combine(Path.GetDirectoryName(coreclr)!, "createdump");
        var psi = new ProcessStartInfo(createdump) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in new[] { "--withheap", "-f", path, pid.ToString(CultureInfo.InvariantCulture) })
        {
            psi.ArgumentList.Add(a);
        }

        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(cts.Token);
        if (process.ExitCode != 0 || !File.Exists(path))
        {
            throw new InvalidOperationException($"createdump failed ({process.ExitCode}): {await stdout} {await stderr}");
        }
    }

    /// <summary>Reads the dump's heap, references, roots and statics.</summary>
    public static DumpReference Load(string dumpPath)
    {
        var reference = new DumpReference();
        using var target = DataTarget.LoadDump(dumpPath);
        var clr = target.ClrVersions[0];
        string dac = Path.Combine(Path.GetDirectoryName(clr.ModuleInfo.FileName) ?? "", "libmscordaccore.so");
        using var runtime = clr.CreateRuntime(dac, ignoreMismatch: true);
        var heap = runtime.Heap;
        var objects = new List<(ulong Address, long Size, string Type)>();
        foreach (var obj in heap.EnumerateObjects())
        {
            if (obj.IsValid && !obj.IsFree)
            {
                objects.Add((obj.Address, (long)obj.Size, obj.Type?.Name ?? "?"));
            }
        }

        // Sorted by address, so the object holding a static slot is a binary search away.
        objects.Sort((a, b) => a.Address.CompareTo(b.Address));
        foreach (var (address, size, type) in objects)
        {
            reference._index[address] = reference._addresses.Count;
            reference._addresses.Add(address);
            reference._sizes.Add(size);
            reference._types.Add(type);
        }

        var refs = new List<int>();
        foreach (ulong address in reference._addresses)
        {
            refs.Clear();
            var obj = heap.GetObject(address);
            foreach (var r in obj.EnumerateReferences(carefully: false, considerDependantHandles: true))
            {
                if (reference._index.TryGetValue(r.Address, out int to))
                {
                    refs.Add(to);
                }
            }

            reference._references.Add([.. refs]);
        }

        foreach (var root in heap.EnumerateRoots())
        {
            if (reference._index.TryGetValue(root.Object.Address, out int at))
            {
                reference._roots.Add(at);
            }
        }

        foreach (var domain in runtime.AppDomains)
        {
            foreach (var module in domain.Modules)
            {
                foreach (var type in module.EnumerateTypesWithStaticFields())
                {
                    foreach (var field in type.StaticFields)
                    {
                        if (!field.IsObjectReference || !field.IsInitialized(domain))
                        {
                            continue;
                        }

                        ulong value = field.ReadObject(domain).Address;
                        if (value != 0 && reference._index.TryGetValue(value, out int v))
                        {
                            reference.Statics[$"static {type.Name}.{field.Name}"] = (field.GetAddress(domain), v);
                        }
                    }
                }
            }
        }

        return reference;
    }

    /// <summary>Indices of the objects of a type.</summary>
    public IEnumerable<int> ObjectsOf(string typeName) => Enumerable.Range(0, _types.Count).Where(i => _types[i] == typeName);

    public long SizeOf(int node) => _sizes[node];

    /// <summary>Bytes reachable from the roots.</summary>
    public long Reachable() => Reach(cutHolder: -1, cutTarget: -1, removed: null);

    /// <summary>What a static field alone keeps alive: reachable bytes less those reachable without the slot's reference.</summary>
    public long RetainedByStatic(string label)
    {
        var (slot, value) = Statics[label];
        int holder = HolderOf(slot);
        return Reachable() - Reach(holder, value, removed: null);
    }

    /// <summary>What a set of objects keeps alive together with themselves: reachable bytes less those reachable without them.</summary>
    public long RetainedByObjects(IReadOnlyCollection<int> objects) => Reachable() - Reach(-1, -1, [.. objects]);

    /// <summary>The object whose extent holds <paramref name="slot"/> (the runtime's statics storage), or -1 for a slot outside the heap.</summary>
    private int HolderOf(ulong slot)
    {
        int lo = 0, hi = _addresses.Count - 1, found = -1;
        while (lo <= hi)
        {
            int mid = (lo + hi) / 2;
            if (_addresses[mid] <= slot)
            {
                found = mid;
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return found >= 0 && slot < _addresses[found] + (ulong)_sizes[found] ? found : -1;
    }

    // Breadth-first from every root; one reference holder → target is skipped once (a cut static slot), and removed
    // objects are never entered.
    private long Reach(int cutHolder, int cutTarget, HashSet<int>? removed)
    {
        var seen = new bool[_addresses.Count];
        var queue = new Queue<int>();
        long bytes = 0;
        foreach (int r in _roots)
        {
            if (!seen[r] && removed?.Contains(r) != true)
            {
                seen[r] = true;
                queue.Enqueue(r);
            }
        }

        while (queue.TryDequeue(out int v))
        {
            bytes += _sizes[v];
            bool cut = false;
            foreach (int t in _references[v])
            {
                if (v == cutHolder && t == cutTarget && !cut)
                {
                    cut = true;
                    continue;
                }

                if (!seen[t] && removed?.Contains(t) != true)
                {
                    seen[t] = true;
                    queue.Enqueue(t);
                }
            }
        }

        return bytes;
    }
}
