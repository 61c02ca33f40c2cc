using System.Text.Json;
using MemLens.AspNetCore.Actions;
using MemLens.Formatting;
using MemLens.Snapshots;

namespace MemLens.AspNetCore.Dashboard;

/// <summary>
/// The retention parts of the heap-snapshot documents: the bounded retention tree of <c>api/snapshots/{id}/retention</c>,
/// and per type its retained bytes and main holder in <c>api/snapshots/{id}</c>.
/// </summary>
internal static class RetentionJson
{
    /// <summary>Tree nodes sent when the request does not say (<c>max</c>).</summary>
    public const int DefaultNodes = 1000;

    /// <summary>Most tree nodes one answer holds; a larger <c>max</c> is capped to it (a snapshot keeps at most 20,000).</summary>
    public const int MaxNodes = 20_000;

    /// <summary>
    /// <c>GET api/snapshots/{id}/retention</c>: the summary, then <c>retention</c>: null for a snapshot without
    /// retention data, else the counters and the <paramref name="max"/> nodes with the most retained bytes (every
    /// node's parent included), parents first, each with its children not sent counted.
    /// </summary>
    public static void WriteRetention(Utf8JsonWriter w, SnapshotEntry entry, int max)
    {
        w.WriteStartObject();
        entry.WriteSummaryFields(w);
        w.WritePropertyName("retention");
        if (entry.Snapshot?.Retention is not { } retention)
        {
            w.WriteNullValue();
            w.WriteEndObject();
            return;
        }

        var nodes = retention.Nodes;
        bool[] sent = Select(nodes, max);
        int sentCount = 0;
        long hiddenObjects = 0, hiddenBytes = 0;
        var hiddenChildren = new int[nodes.Count];
        var hiddenRetained = new long[nodes.Count];
        for (int i = 0; i < nodes.Count; i++)
        {
            if (sent[i])
            {
                sentCount++;
                continue;
            }

            hiddenObjects += nodes[i].Kind == RetentionNodeKind.Type ? nodes[i].Count : 0;
            hiddenBytes += nodes[i].Bytes;
            int p = nodes[i].Parent;
            if (p >= 0 && sent[p])
            {
                hiddenChildren[p]++;
                hiddenRetained[p] += nodes[i].RetainedBytes;
            }
        }

        w.WriteStartObject();
        w.WriteNumber("nodeCount", nodes.Count);
        w.WriteNumber("sentNodes", sentCount);
        w.WriteNumber("notSentNodes", nodes.Count - sentCount);
        w.WriteNumber("notSentObjects", hiddenObjects);
        w.WriteNumber("notSentBytes", hiddenBytes);
        w.WriteNumber("omittedNodes", retention.OmittedNodes);
        w.WriteNumber("omittedObjects", retention.OmittedObjects);
        w.WriteNumber("omittedBytes", retention.OmittedBytes);
        w.WriteNumber("unrootedObjects", retention.UnrootedObjects);
        w.WriteNumber("unrootedBytes", retention.UnrootedBytes);
        w.WriteStartArray("nodes");
        for (int i = 0; i < nodes.Count; i++)
        {
            if (!sent[i])
            {
                continue;
            }

            var n = nodes[i];
            w.WriteStartObject();
            w.WriteNumber("id", i);
            w.WriteNumber("parent", n.Parent);
            w.WriteString("kind", n.Kind == RetentionNodeKind.Root ? "root" : "type");
            w.WriteString("label", n.Label);
            w.WriteNumber("count", n.Count);
            w.WriteNumber("bytes", n.Bytes);
            w.WriteNumber("retained", n.RetainedBytes);
            if (hiddenChildren[i] > 0)
            {
                w.WriteNumber("notSentChildren", hiddenChildren[i]);
                w.WriteNumber("notSentRetained", hiddenRetained[i]);
            }

            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
        w.WriteEndObject();
    }

    /// <summary>
    /// The nodes to send: the <paramref name="max"/> with the most retained bytes (ties: earlier first), each with
    /// its ancestors, never more than <paramref name="max"/> in all. A node retains at least what its children do
    /// and comes before them, so the ancestors are normally chosen already; the walk up is for a tree where that
    /// does not hold.
    /// </summary>
    private static bool[] Select(IReadOnlyList<RetentionNode> nodes, int max)
    {
        var sent = new bool[nodes.Count];
        if (nodes.Count <= max)
        {
            Array.Fill(sent, true);
            return sent;
        }

        var order = new int[nodes.Count];
        for (int i = 0; i < order.Length; i++)
        {
            order[i] = i;
        }

        Array.Sort(order, (a, b) => nodes[a].RetainedBytes != nodes[b].RetainedBytes ? nodes[b].RetainedBytes.CompareTo(nodes[a].RetainedBytes) : a.CompareTo(b));
        int count = 0;
        var chain = new List<int>();
        foreach (int candidate in order)
        {
            chain.Clear();
            for (int i = candidate; i >= 0 && !sent[i]; i = nodes[i].Parent)
            {
                chain.Add(i);
            }

            if (count + chain.Count > max)
            {
                continue;
            }

            foreach (int i in chain)
            {
                sent[i] = true;
            }

            count += chain.Count;
            if (count == max)
            {
                break;
            }
        }

        return sent;
    }

    /// <summary>A type's <c>retained</c> bytes and <c>holder</c> (<see cref="HeapRetention.MainHolder"/>; null when none).</summary>
    public static void WriteTypeRetention(Utf8JsonWriter w, HeapRetention retention, string typeName)
    {
        w.WriteNumber("retained", retention.RetainedBytesByType.GetValueOrDefault(typeName));
        w.WriteString("holder", retention.MainHolder(typeName));
    }

    /// <summary>A diff row's <c>retainedBefore</c>, <c>retainedAfter</c> (null without retention data) and <c>heldBy</c> (null when not known).</summary>
    public static void WriteGrowthRetention(Utf8JsonWriter w, TypeGrowth r)
    {
        w.WriteNumberOrNull("retainedBefore", r.RetainedBefore);
        w.WriteNumberOrNull("retainedAfter", r.RetainedAfter);
        if (r.HeldBy is { } h)
        {
            w.WriteStartObject("heldBy");
            w.WriteString("path", h.Path);
            w.WriteNumber("countBefore", h.CountBefore);
            w.WriteNumber("countAfter", h.CountAfter);
            w.WriteNumber("bytesBefore", h.BytesBefore);
            w.WriteNumber("bytesAfter", h.BytesAfter);
            w.WriteEndObject();
        }
        else
        {
            w.WriteNull("heldBy");
        }
    }
}
