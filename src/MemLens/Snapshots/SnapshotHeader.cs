using System.Globalization;
using System.Text.Json;

namespace MemLens.Snapshots;

/// <summary>
/// Everything a snapshot file holds but its per-type entries, as <see cref="SnapshotFile.Scan(string, Action{string, long, long})"/> returns it: the
/// header's fields, checked, and the entries' count and sums (which match the file's own totals, or it was refused).
/// </summary>
public sealed class SnapshotHeader
{
    private readonly Dictionary<string, SnapshotFile.Scalar> _values = new(StringComparer.Ordinal);
    private long _objects;
    private long _bytes;
    private List<RetentionNode>? _retentionNodes;
    private readonly Dictionary<string, long> _retentionCounters = new(StringComparer.Ordinal);

    internal SnapshotHeader(string name) => Name = name;

    /// <summary>The file's name as given (used in error messages).</summary>
    public string Name { get; }

    public string Id { get; private set; } = "";

    public int ProcessId { get; private set; }

    public string ProcessName { get; private set; } = "";

    public long TakenAtMs { get; private set; }

    public TimeSpan Duration { get; private set; }

    public long GcIndex { get; private set; }

    public string? RuntimeVersion { get; private set; }

    public bool Truncated { get; private set; }

    public long EventsLost { get; private set; }

    public string? Note { get; private set; }

    /// <summary>Number of entries in <c>types</c>.</summary>
    public long TypeCount { get; private set; }

    public long TotalObjects => _objects;

    public long TotalBytes => _bytes;

    /// <summary>True when the figures are not the whole heap (see <see cref="HeapSnapshot.Incomplete"/>).</summary>
    public bool Incomplete => Truncated || EventsLost > 0;

    /// <summary>
    /// The file's retention tree and its omitted/unrooted counters (format version 2), or null when the file has none.
    /// Its <see cref="HeapRetention.RetainedBytesByType"/> is empty here: the retained bytes per type come with each entry
    /// of <see cref="SnapshotFile.Scan(string, Action{string, long, long, long?})"/> (and are filled in by <see cref="SnapshotFile.Read(string)"/>).
    /// </summary>
    public HeapRetention? Retention { get; private set; }

    internal bool TypesSeen { get; set; }

    internal bool RetentionNodesSeen { get; set; }

    internal int RetentionNodeCount => _retentionNodes?.Count ?? 0;

    internal void StartRetention()
    {
        if (_retentionNodes is not null)
        {
            throw Corrupt("\"retention\" appears twice");
        }

        _retentionNodes = [];
    }

    internal void SetRetentionCounter(string property, long value) => _retentionCounters[property] = value;

    internal void AddRetentionNode(RetentionNode node) => _retentionNodes!.Add(node);

    internal void EndRetention()
    {
        if (!RetentionNodesSeen)
        {
            throw Corrupt("\"retention.nodes\" is missing or not an array");
        }
    }

    internal void Set(string property, JsonTokenType kind, SnapshotFile.Scalar value) =>
        _values[property] = value with { Kind = kind };

    internal void AddEntry(long count, long bytes)
    {
        _objects = SnapshotFile.Add(_objects, count, Name);
        _bytes = SnapshotFile.Add(_bytes, bytes, Name);
        TypeCount++;
    }

    /// <summary>A snapshot of this header with <paramref name="types"/> (the entries the scan gave) and, when the file has a retention tree, the retained bytes per type.</summary>
    internal HeapSnapshot ToSnapshot(IEnumerable<TypeStat> types, IReadOnlyDictionary<string, long> retainedByType) =>
        new(ProcessId, ProcessName, TakenAtMs, types)
        {
            Retention = Retention is { } r ? WithRetainedBytes(r, retainedByType) : null,
            Id = Id,
            Duration = Duration,
            GcIndex = GcIndex,
            RuntimeVersion = RuntimeVersion,
            Truncated = Truncated,
            EventsLost = EventsLost,
            Note = Note,
        };

    private static HeapRetention WithRetainedBytes(HeapRetention r, IReadOnlyDictionary<string, long> retainedByType) =>
        new(r.Nodes, retainedByType)
        {
            OmittedNodes = r.OmittedNodes,
            OmittedObjects = r.OmittedObjects,
            OmittedBytes = r.OmittedBytes,
            UnrootedObjects = r.UnrootedObjects,
            UnrootedBytes = r.UnrootedBytes,
        };

    internal void Validate()
    {
        if (!_values.TryGetValue("format", out var format) || format.Kind != JsonTokenType.String || format.Text != SnapshotFile.FormatName)
        {
            throw new SnapshotFileException($"{Name}: not a MemLens snapshot (no \"format\": \"{SnapshotFile.FormatName}\")");
        }

        long version = _values.TryGetValue("version", out var v) && v.Kind == JsonTokenType.Number && v.Integer is { } n && n <= int.MaxValue ? n : -1;
        if (version < 1)
        {
            throw Corrupt("\"version\" is missing or not a positive integer");
        }

        if (version > SnapshotFile.Version)
        {
            throw new SnapshotFileException($"{Name}: snapshot format version {version} is newer than this MemLens reads ({SnapshotFile.Version}); update MemLens");
        }

        ProcessId = (int)RequiredInt64("process_id", int.MaxValue);
        ProcessName = RequiredString("process_name");
        TakenAtMs = RequiredInt64("taken_at_ms", 253402300799999); // up to year 9999
        double durationMs = _values.TryGetValue("duration_ms", out var d) && d.Kind == JsonTokenType.Number ? d.Real ?? -1 : 0;
        if (durationMs < 0 || durationMs > TimeSpan.MaxValue.TotalMilliseconds / 2)
        {
            throw Corrupt("\"duration_ms\" is out of range");
        }

        Duration = TimeSpan.FromMilliseconds(durationMs);
        if (!TypesSeen)
        {
            throw Corrupt("\"types\" is missing or not an array");
        }

        // The totals are redundant on purpose: they catch a file whose list was cut or edited.
        if (_values.ContainsKey("total_objects") && RequiredInt64("total_objects", long.MaxValue) != _objects)
        {
            throw Corrupt("\"total_objects\" does not match the sum of the types' counts");
        }

        if (_values.ContainsKey("total_bytes") && RequiredInt64("total_bytes", long.MaxValue) != _bytes)
        {
            throw Corrupt("\"total_bytes\" does not match the sum of the types' bytes");
        }

        Id = OptionalString("id") ?? "";
        GcIndex = _values.ContainsKey("gc_index") ? RequiredInt64("gc_index", long.MaxValue) : 0;
        RuntimeVersion = OptionalString("runtime_version");
        Truncated = _values.TryGetValue("truncated", out var tr) && tr.Kind switch
        {
            JsonTokenType.True => true,
            JsonTokenType.False => false,
            _ => throw Corrupt("\"truncated\" is not true or false"),
        };
        EventsLost = _values.ContainsKey("events_lost") ? RequiredInt64("events_lost", long.MaxValue) : 0;
        Note = OptionalString("note");
        if (_retentionNodes is not null)
        {
            // The reader checked each node (parents first, a root exactly when there is no parent), so this cannot throw.
            Retention = new HeapRetention(_retentionNodes, new Dictionary<string, long>(StringComparer.Ordinal))
            {
                OmittedNodes = _retentionCounters.GetValueOrDefault("omitted_nodes"),
                OmittedObjects = _retentionCounters.GetValueOrDefault("omitted_objects"),
                OmittedBytes = _retentionCounters.GetValueOrDefault("omitted_bytes"),
                UnrootedObjects = _retentionCounters.GetValueOrDefault("unrooted_objects"),
                UnrootedBytes = _retentionCounters.GetValueOrDefault("unrooted_bytes"),
            };
        }
    }

    private long RequiredInt64(string property, long max)
    {
        if (!_values.TryGetValue(property, out var p) || p.Kind != JsonTokenType.Number || p.Integer is not { } value)
        {
            throw Corrupt($"\"{property}\" is missing or not an integer");
        }

        if (value < 0 || value > max)
        {
            throw Corrupt($"\"{property}\" is out of range ({value.ToString(CultureInfo.InvariantCulture)})");
        }

        return value;
    }

    private string RequiredString(string property) =>
        _values.TryGetValue(property, out var p) && p.Kind == JsonTokenType.String
            ? p.Text!
            : throw Corrupt($"\"{property}\" is missing or not a string");

    private string? OptionalString(string property)
    {
        if (!_values.TryGetValue(property, out var p) || p.Kind == JsonTokenType.Null)
        {
            return null;
        }

        return p.Kind == JsonTokenType.String ? p.Text : throw Corrupt($"\"{property}\" is not a string");
    }

    private SnapshotFileException Corrupt(string what) => SnapshotFile.Corrupt(Name, what);
}
