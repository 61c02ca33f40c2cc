using System.Text.Json;
using MemLens.Formatting;

namespace MemLens.AspNetCore.Actions;

/// <summary>Memory figures at one moment of an action (release, induced GC); a value that could not be read is null.</summary>
public sealed record MemoryFigures(long? Rss, long? Pss, long? GcHeap, long? GcCommitted)
{
    /// <summary>"RSS 512 MiB → 120 MiB (−392 MiB)" for each figure known on both sides.</summary>
    internal static string DescribeChanges(MemoryFigures before, MemoryFigures after)
    {
        var parts = new List<string>();
        Add(parts, "RSS", before.Rss, after.Rss);
        Add(parts, "PSS", before.Pss, after.Pss);
        Add(parts, "GC heap", before.GcHeap, after.GcHeap);
        Add(parts, "GC committed", before.GcCommitted, after.GcCommitted);
        return string.Join(", ", parts);
    }

    internal void WriteJson(Utf8JsonWriter w, string name)
    {
        w.WriteStartObject(name);
        Write(w, "rss", Rss);
        Write(w, "pss", Pss);
        Write(w, "gcHeap", GcHeap);
        Write(w, "gcCommitted", GcCommitted);
        w.WriteEndObject();
    }

    private static void Add(List<string> parts, string name, long? before, long? after)
    {
        if (before is { } b && after is { } a)
        {
            long d = a - b;
            string sign = d < 0 ? "−" : "+";
            parts.Add($"{name} {ByteSize.Format(b)} → {ByteSize.Format(a)} ({sign}{ByteSize.Format(Math.Abs(d))})");
        }
    }

    private static void Write(Utf8JsonWriter w, string name, long? value)
    {
        if (value is { } v)
        {
            w.WriteNumber(name, v);
        }
        else
        {
            w.WriteNull(name);
        }
    }
}

/// <summary>What the release action did and the figures before and after it.</summary>
public sealed record ReleaseResult(long TimestampMs, double DurationMs, MemoryFigures Before, MemoryFigures After, string MallocTrim, long GcIndex)
{
    /// <summary>One line for people, e.g. <c>Release memory: RSS 512.0 MiB → 120.0 MiB (−392.0 MiB), GC heap …</c>.</summary>
    public string Describe()
    {
        return $"Release memory: {MemoryFigures.DescribeChanges(Before, After)}; malloc_trim {MallocTrim}; took {DurationMs:0.#} ms";
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
        Before.WriteJson(w, "before");
        After.WriteJson(w, "after");
        w.WriteString("mallocTrim", MallocTrim);
        w.WriteNumber("gcIndex", GcIndex);
        w.WriteString("description", Describe());
    }
}
