using MemLens.Snapshots;

namespace MemLens.Diagnostics.Snapshots;

/// <summary>
/// Counts objects per type id while the heap is walked and names the types at the end: the runtime sends type
/// names (GCBulkType) separately from the objects (GCBulkNode), and not necessarily before them.
/// </summary>
internal sealed class TypeHistogram(TypeNameCache? knownNames = null)
{
    private readonly Dictionary<ulong, (long Count, long Bytes)> _byTypeId = [];
    private readonly Dictionary<ulong, string> _names = [];

    public long Objects { get; private set; }

    public long Bytes { get; private set; }

    public void AddObject(ulong typeId, long size)
    {
        ref var entry = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(_byTypeId, typeId, out _);
        entry.Count++;
        entry.Bytes += size;
        Objects++;
        Bytes += size;
    }

    public void AddTypeName(ulong typeId, string name)
    {
        if (name.Length > 0)
        {
            _names[typeId] = name;
            knownNames?.Add(typeId, name);
        }
    }

    /// <summary>The name of a type id, as <see cref="ToTypeStats"/> gives it.</summary>
    public string NameOf(ulong typeId) =>
        _names.TryGetValue(typeId, out var n) || (knownNames is not null && knownNames.TryGet(typeId, out n)) ? n : $"<type 0x{typeId:x}>";

    /// <summary>Types of the walk that got no name, neither from this walk nor from <c>knownNames</c>.</summary>
    public int UnnamedTypes { get; private set; }

    /// <summary>One row per type name (ids with the same name, e.g. from several load contexts, are merged); unnamed ids as <c>&lt;type 0x…&gt;</c>.</summary>
    public List<TypeStat> ToTypeStats()
    {
        var byName = new Dictionary<string, (long Count, long Bytes)>(StringComparer.Ordinal);
        UnnamedTypes = 0;
        foreach (var (id, v) in _byTypeId)
        {
            string name;
            if (_names.TryGetValue(id, out var n) || (knownNames is not null && knownNames.TryGet(id, out n)))
            {
                name = n;
            }
            else
            {
                name = $"<type 0x{id:x}>";
                UnnamedTypes++;
            }

            byName.TryGetValue(name, out var sum);
            byName[name] = (sum.Count + v.Count, sum.Bytes + v.Bytes);
        }

        return byName.Select(kv => new TypeStat(kv.Key, kv.Value.Count, kv.Value.Bytes)).ToList();
    }
}
