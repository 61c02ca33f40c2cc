using System.Globalization;
using System.Text.Json;
using MemLens.Events;
using MemLens.Metrics;
using MemLens.Storage;

namespace MemLens.Tests.Doctor;

/// <summary>
/// Replays the output of <c>memlens … --json-lines</c> (one <c>{"t","pid","metrics":{…},"events":[…]}</c> per sample)
/// into a <see cref="MetricStore"/>: each metric value at its line's time, each event as a <see cref="ReplayedEvent"/>
/// that writes back the JSON it was read from — a different class from the one that wrote it, as events read from a
/// recording are, so the doctor is tested on what it will really see.
/// </summary>
internal static class JsonLinesReplay
{
    public sealed record Replay(MetricStore Store, long FromMs, long ToMs, int Lines);

    public static Replay Load(string path, double? firstSeconds = null)
    {
        var store = new MetricStore(new MetricStoreOptions { MemoryBudgetBytes = 32 << 20, MaxEvents = 100_000 });
        long from = 0, to = 0;
        int lines = 0;
        foreach (string line in File.ReadLines(path))
        {
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            using var doc = JsonDocument.Parse(line);
            var root = doc.RootElement;
            long t = ParseTime(root.GetProperty("t").GetString()!);
            if (lines == 0)
            {
                from = t;
            }

            if (firstSeconds is { } limit && t - from > limit * 1000)
            {
                break;
            }

            lines++;
            to = t;
            foreach (var metric in root.GetProperty("metrics").EnumerateObject())
            {
                if (MetricCatalog.TryGet(metric.Name, out var descriptor))
                {
                    store.Append(descriptor, t, metric.Value.GetDouble());
                }
            }

            if (root.TryGetProperty("events", out var events))
            {
                foreach (var e in events.EnumerateArray())
                {
                    store.AddEvent(new ReplayedEvent(ParseTime(e.GetProperty("t").GetString()!), e.Clone()));
                }
            }
        }

        return new Replay(store, from, to, lines);
    }

    public static long ParseTime(string iso) =>
        DateTimeOffset.Parse(iso, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal).ToUnixTimeMilliseconds();
}

/// <summary>An event known only by its JSON: writes back every field it was read with, except its time.</summary>
internal sealed class ReplayedEvent(long timestampMs, JsonElement json) : MemEvent(timestampMs)
{
    public override string Type => json.TryGetProperty("type", out var type) ? type.GetString() ?? "unknown" : "unknown";

    public override string Describe() => json.GetRawText();

    protected override void WriteFields(Utf8JsonWriter writer)
    {
        foreach (var property in json.EnumerateObject())
        {
            if (property.Name is not ("t" or "type"))
            {
                property.WriteTo(writer);
            }
        }
    }
}
