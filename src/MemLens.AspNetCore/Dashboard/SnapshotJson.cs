using System.Text.Json;
using MemLens.AspNetCore.Actions;
using MemLens.Snapshots;

namespace MemLens.AspNetCore.Dashboard;

/// <summary>The heap-snapshot documents of the dashboard API: listing, one snapshot's top types, a diff, stream frames.</summary>
internal static class SnapshotJson
{
    public static void WriteRunning(Utf8JsonWriter w, RunningSnapshot r)
    {
        w.WriteStartObject();
        w.WriteString("id", r.Id);
        w.WriteNumber("startedTs", r.StartedTs);
        w.WriteString("phase", r.Phase);
        w.WriteNumber("objects", r.Objects);
        w.WriteNumber("bytes", r.Bytes);
        w.WriteNumber("elapsedMs", Math.Round(r.ElapsedMs));
        w.WriteEndObject();
    }

    /// <summary><c>GET api/snapshots</c>: the running one and every one held, newest first.</summary>
    public static void WriteListing(Utf8JsonWriter w, RunningSnapshot? running, IReadOnlyList<SnapshotEntry> entries)
    {
        w.WriteStartObject();
        w.WritePropertyName("running");
        if (running is null)
        {
            w.WriteNullValue();
        }
        else
        {
            WriteRunning(w, running);
        }

        w.WriteStartArray("snapshots");
        for (int i = entries.Count - 1; i >= 0; i--)
        {
            entries[i].WriteSummary(w);
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    /// <summary>The stream's <c>snapshot</c> frame: <c>state</c> is <c>running</c> (with progress), <c>done</c> or <c>failed</c> (with the summary).</summary>
    public static void WriteFrame(Utf8JsonWriter w, string state, RunningSnapshot? running, SnapshotEntry? entry)
    {
        w.WriteStartObject();
        w.WriteString("state", state);
        w.WriteString("id", running?.Id ?? entry?.Id);
        if (running is not null)
        {
            w.WritePropertyName("running");
            WriteRunning(w, running);
        }

        if (entry is not null)
        {
            w.WritePropertyName("snapshot");
            entry.WriteSummary(w);
        }

        w.WriteEndObject();
    }

    /// <summary>
    /// <c>GET api/snapshots/{id}</c>: the summary and the <paramref name="top"/> largest types; with retention data
    /// (<c>hasRetention</c>) each type also has its <c>retained</c> bytes and main <c>holder</c>.
    /// </summary>
    public static void WriteSnapshot(Utf8JsonWriter w, SnapshotEntry entry, int top)
    {
        w.WriteStartObject();
        entry.WriteSummaryFields(w);
        WriteCompleteness(w, entry.Snapshot);
        var retention = entry.Snapshot?.Retention;
        w.WriteBoolean("hasRetention", retention is not null);
        w.WriteStartArray("top");
        if (entry.Snapshot is { } s)
        {
            foreach (var t in s.Types.Take(top))
            {
                w.WriteStartObject();
                w.WriteString("name", t.Name);
                w.WriteNumber("count", t.Count);
                w.WriteNumber("bytes", t.Bytes);
                if (retention is not null)
                {
                    RetentionJson.WriteTypeRetention(w, retention, t.Name);
                }

                w.WriteEndObject();
            }
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    /// <summary>
    /// <c>eventsLost</c> (events of the heap walk the runtime dropped: objects are missing when above 0) and
    /// <c>incomplete</c> (the figures are not the whole heap: cut short, or events lost); the summary's
    /// <c>truncated</c> and <c>note</c> say it too.
    /// </summary>
    private static void WriteCompleteness(Utf8JsonWriter w, HeapSnapshot? s)
    {
        w.WriteNumber("eventsLost", s?.EventsLost ?? 0);
        w.WriteBoolean("incomplete", s?.Incomplete ?? false);
    }

    /// <summary>
    /// <c>GET api/snapshots/diff</c>: both summaries, the totals' change and the top rows of <see cref="SnapshotDiff"/>
    /// in the order asked for (<paramref name="sort"/>: <c>bytes</c> or <c>retained</c>); when the second snapshot
    /// has retention data (<c>hasRetention</c>) each row has its retained bytes and <c>heldBy</c>.
    /// </summary>
    public static void WriteDiff(Utf8JsonWriter w, SnapshotEntry a, SnapshotEntry b, SnapshotDiff diff, int top, string sort = "bytes")
    {
        w.WriteStartObject();
        w.WritePropertyName("a");
        a.WriteSummary(w);
        w.WritePropertyName("b");
        b.WriteSummary(w);
        // Either side partial (cut short, or its walk lost events): the rows may show changes that did not happen.
        w.WriteBoolean("incomplete", diff.Before.Incomplete || diff.After.Incomplete);
        w.WriteNumber("bytesDelta", diff.BytesDelta);
        w.WriteNumber("countDelta", diff.CountDelta);
        w.WriteNumber("rowCount", diff.Rows.Count);
        w.WriteString("sort", sort);
        bool hasRetention = diff.After.Retention is not null;
        w.WriteBoolean("hasRetention", hasRetention);
        w.WriteStartArray("rows");
        foreach (var r in diff.Rows.Take(top))
        {
            w.WriteStartObject();
            w.WriteString("name", r.Name);
            w.WriteNumber("countBefore", r.CountBefore);
            w.WriteNumber("countAfter", r.CountAfter);
            w.WriteNumber("bytesBefore", r.BytesBefore);
            w.WriteNumber("bytesAfter", r.BytesAfter);
            if (hasRetention)
            {
                RetentionJson.WriteGrowthRetention(w, r);
            }

            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }
}
