using System.Collections.Concurrent;

namespace MemLens.Diagnostics.Snapshots;

/// <summary>
/// Type names learned from earlier heap walks of one process, by type id (the method table's address, stable for
/// the process's life).
/// </summary>
/// <remarks>
/// The runtime names each type once and remembers it did; it forgets only when type events are switched off for
/// every session. While another session keeps the runtime's events on (memlens watch's own GC session, or another
/// tool), a second walk sends no names for the types the first walk named. Keeping the names here lets the second
/// snapshot still name them. Bounded: a process with more types than <see cref="MaxEntries"/> stops adding.
/// </remarks>
public sealed class TypeNameCache
{
    /// <summary>At most this many names are kept (about 100 MiB at worst for long generic names).</summary>
    public const int MaxEntries = 1_000_000;

    private readonly ConcurrentDictionary<ulong, string> _names = new();

    public int Count => _names.Count;

    internal void Add(ulong typeId, string name)
    {
        if (_names.Count < MaxEntries || _names.ContainsKey(typeId))
        {
            _names[typeId] = name;
        }
    }

    internal bool TryGet(ulong typeId, out string name) => _names.TryGetValue(typeId, out name!);
}
