using System.Globalization;
using System.Text.Json;
using MemLens.AspNetCore.Dashboard;
using MemLens.Events;

namespace MemLens.AspNetCore.Actions;

/// <summary>
/// A full GC induced in an attached process: the GC as the runtime reported it, and the figures before and after
/// (RSS and PSS sampled by the monitor around the action, GC heap from the GC's own before/after sizes).
/// </summary>
public sealed record InducedGcResult(long TimestampMs, double DurationMs, GcEvent Gc, MemoryFigures Before, MemoryFigures After)
{
    /// <summary>One line for people, e.g. <c>Full GC #812: RSS 512 MiB → 300 MiB (−212 MiB), GC heap …; took 41 ms</c>.</summary>
    public string Describe()
    {
        string changes = MemoryFigures.DescribeChanges(Before, After);
        return string.Create(CultureInfo.InvariantCulture,
            $"Full GC #{Gc.Index}: {(changes.Length > 0 ? changes : "no figures")}; took {DurationMs:0.#} ms");
    }

    internal void WriteJson(Utf8JsonWriter w)
    {
        w.WriteStartObject();
        WriteFields(w);
        w.WriteEndObject();
    }

    internal void WriteFields(Utf8JsonWriter w)
    {
        w.WriteNumber("ts", TimestampMs);
        w.WriteNumber("durationMs", Math.Round(DurationMs, 1));
        w.WritePropertyName("gc");
        ApiJson.WriteEvent(w, Gc);
        Before.WriteJson(w, "before");
        After.WriteJson(w, "after");
        w.WriteString("description", Describe());
    }
}
