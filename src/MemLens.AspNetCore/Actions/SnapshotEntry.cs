using System.Globalization;
using System.Text.Json;
using MemLens.Formatting;
using MemLens.Snapshots;

namespace MemLens.AspNetCore.Actions;

/// <summary>
/// One heap snapshot the dashboard holds: taken (<see cref="Snapshot"/>) or failed (<see cref="Error"/>, one line).
/// The id is the dashboard's own (<c>s1</c>, <c>s2</c>, …): it is given when the snapshot is asked for, before the
/// snapshot exists, so that the 202 answer can name it.
/// </summary>
internal sealed class SnapshotEntry
{
    private SnapshotEntry(string id, long requestedAtMs, double durationMs, HeapSnapshot? snapshot, string? error)
    {
        Id = id;
        RequestedAtMs = requestedAtMs;
        DurationMs = durationMs;
        Snapshot = snapshot;
        Error = error;
    }

    public string Id { get; }

    public long RequestedAtMs { get; }

    public double DurationMs { get; }

    public HeapSnapshot? Snapshot { get; }

    public string? Error { get; }

    /// <summary>When the heap was walked (the pause), or when the snapshot was asked for if that is not known.</summary>
    public long TimestampMs => Snapshot is { TakenAtMs: > 0 } s ? s.TakenAtMs : RequestedAtMs;

    public static SnapshotEntry Taken(string id, long requestedAtMs, double elapsedMs, HeapSnapshot snapshot) =>
        new(id, requestedAtMs, snapshot.Duration > TimeSpan.Zero ? snapshot.Duration.TotalMilliseconds : elapsedMs, snapshot, null);

    public static SnapshotEntry Failed(string id, long requestedAtMs, double elapsedMs, string error) =>
        new(id, requestedAtMs, elapsedMs, null, error);

    public string Describe()
    {
        if (Snapshot is not { } s)
        {
            return $"Heap snapshot {Id} failed: {Error}";
        }

        string line = string.Create(CultureInfo.InvariantCulture,
            $"Heap snapshot {Id}: {s.TotalObjects:N0} objects, {ByteSize.Format(s.TotalBytes)} in {s.Types.Count:N0} types; took {DurationMs / 1000:0.##} s");
        return s.Truncated ? $"{line} (partial: {s.Note ?? "cut short"})" : line;
    }

    /// <summary>The summary object of <c>api/snapshots</c>: no per-type rows.</summary>
    public void WriteSummary(Utf8JsonWriter w)
    {
        w.WriteStartObject();
        WriteSummaryFields(w);
        w.WriteEndObject();
    }

    public void WriteSummaryFields(Utf8JsonWriter w)
    {
        w.WriteString("id", Id);
        w.WriteNumber("ts", TimestampMs);
        w.WriteNumber("durationMs", Math.Round(DurationMs, 1));
        if (Snapshot is { } s)
        {
            w.WriteNumber("gcIndex", s.GcIndex);
            w.WriteNumber("totalObjects", s.TotalObjects);
            w.WriteNumber("totalBytes", s.TotalBytes);
            w.WriteNumber("types", s.Types.Count);
            w.WriteBoolean("truncated", s.Truncated);
            w.WriteString("note", s.Note);
            w.WriteString("runtimeVersion", s.RuntimeVersion);
        }
        else
        {
            w.WriteNull("gcIndex");
            w.WriteNull("totalObjects");
            w.WriteNull("totalBytes");
            w.WriteNull("types");
            w.WriteBoolean("truncated", false);
            w.WriteNull("note");
            w.WriteNull("runtimeVersion");
            w.WriteString("error", Error);
        }
    }
}
