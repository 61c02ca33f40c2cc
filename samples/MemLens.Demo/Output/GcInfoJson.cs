using System.Buffers;
using System.Text;
using System.Text.Json;

namespace MemLens.Demo.Output;

/// <summary>
/// The program's own view of its GC, for tests to compare with what MemLens reports. Written with
/// Utf8JsonWriter (no reflection, trimming-safe, invariant number formatting). Byte figures are
/// bytes, durations are seconds, names are snake_case.
/// </summary>
internal static class GcInfoJson
{
    // The order of GCMemoryInfo.GenerationInfo.
    private static readonly string[] GenerationNames = ["gen0", "gen1", "gen2", "loh", "poh"];

    public static string Write(GCKind kind)
    {
        var info = GC.GetGCMemoryInfo(kind);
        var buffer = new ArrayBufferWriter<byte>(2048);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("kind", KindName(kind));
            json.WriteNumber("index", info.Index);
            json.WriteNumber("generation", info.Generation);
            json.WriteNumber("heap_size", info.HeapSizeBytes);
            json.WriteNumber("committed", info.TotalCommittedBytes);
            json.WriteNumber("fragmented", info.FragmentedBytes);
            json.WriteNumber("promoted", info.PromotedBytes);
            json.WriteNumber("pinned_objects", info.PinnedObjectsCount);
            json.WriteNumber("finalization_pending", info.FinalizationPendingCount);
            json.WriteNumber("total_available", info.TotalAvailableMemoryBytes);
            json.WriteNumber("memory_load", info.MemoryLoadBytes);
            json.WriteNumber("high_memory_load_threshold", info.HighMemoryLoadThresholdBytes);
            WritePauses(json, info);
            json.WriteNumber("pause_time_percentage", info.PauseTimePercentage);
            json.WriteBoolean("compacted", info.Compacted);
            json.WriteBoolean("concurrent", info.Concurrent);
            WriteGenerations(json, info);
            json.WriteStartObject("collections");
            json.WriteNumber("gen0", GC.CollectionCount(0));
            json.WriteNumber("gen1", GC.CollectionCount(1));
            json.WriteNumber("gen2", GC.CollectionCount(2));
            json.WriteEndObject();
            json.WriteNumber("total_allocated", GC.GetTotalAllocatedBytes(precise: false));
            json.WriteNumber("total_pause_seconds", GC.GetTotalPauseDuration().TotalSeconds);
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>Parses the argument of "gcinfo"; an empty argument means any.</summary>
    public static bool TryParseKind(string text, out GCKind kind)
    {
        kind = text.ToLowerInvariant() switch
        {
            "" or "any" => GCKind.Any,
            "ephemeral" => GCKind.Ephemeral,
            "full" or "fullblocking" => GCKind.FullBlocking,
            "background" => GCKind.Background,
            _ => (GCKind)(-1),
        };
        return kind >= GCKind.Any;
    }

    private static string KindName(GCKind kind) => kind switch
    {
        GCKind.Ephemeral => "ephemeral",
        GCKind.FullBlocking => "full",
        GCKind.Background => "background",
        _ => "any",
    };

    // A blocking GC has one pause, a background GC two; the total is what a caller compares.
    private static void WritePauses(Utf8JsonWriter json, GCMemoryInfo info)
    {
        var total = 0.0;
        json.WriteStartArray("pause_durations_seconds");
        foreach (var pause in info.PauseDurations)
        {
            json.WriteNumberValue(pause.TotalSeconds);
            total += pause.TotalSeconds;
        }

        json.WriteEndArray();
        json.WriteNumber("pause_total_seconds", total);
    }

    private static void WriteGenerations(Utf8JsonWriter json, GCMemoryInfo info)
    {
        json.WriteStartArray("generations");
        var generations = info.GenerationInfo;
        for (var i = 0; i < generations.Length; i++)
        {
            json.WriteStartObject();
            json.WriteString("name", i < GenerationNames.Length ? GenerationNames[i] : "gen" + i);
            json.WriteNumber("size_before", generations[i].SizeBeforeBytes);
            json.WriteNumber("size_after", generations[i].SizeAfterBytes);
            json.WriteNumber("fragmentation_before", generations[i].FragmentationBeforeBytes);
            json.WriteNumber("fragmentation_after", generations[i].FragmentationAfterBytes);
            json.WriteEndObject();
        }

        json.WriteEndArray();
    }
}
