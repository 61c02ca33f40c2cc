using System.Text.Json;
using MemLens.Events;
using MemLens.Go;

namespace MemLens.Recording;

/// <summary>
/// Which events a full recording may give up first (<c>events.ephemeral</c>): the routine, frequent ones whose
/// figures the series carry anyway. A .NET gen0/gen1 GC, a Go GC that was not forced, a Go scavenger report.
/// Full (gen2) GCs, forced GCs, notes, exits and actions are kept until the period they fall in is itself dropped.
/// </summary>
internal static class EventRetention
{
    public static bool IsEphemeral(MemEvent memEvent) => memEvent switch
    {
        GcEvent gc => gc.Generation is 0 or 1,
        GoGcTraceEvent goGc => !goGc.Forced,
        GoScavengeTraceEvent => true,
        RecordedEvent recorded => IsEphemeral(recorded.Type, recorded.FieldsJson),
        _ => false,
    };

    /// <summary>The same judgement from a recorded type and fields object (an event read back and recorded again).</summary>
    public static bool IsEphemeral(string type, string fieldsJson)
    {
        switch (type)
        {
            case "go.scavenge":
                return true;
            case "gc":
            case "go.gc":
                try
                {
                    using var doc = JsonDocument.Parse(fieldsJson);
                    var root = doc.RootElement;
                    if (root.ValueKind != JsonValueKind.Object)
                    {
                        return false;
                    }

                    if (type == "gc")
                    {
                        return root.TryGetProperty("generation", out var g) && g.ValueKind == JsonValueKind.Number
                            && g.TryGetInt32(out int generation) && generation is 0 or 1;
                    }

                    return root.TryGetProperty("forced", out var f) && f.ValueKind == JsonValueKind.False;
                }
                catch (JsonException)
                {
                    return false;
                }

            default:
                return false;
        }
    }
}
