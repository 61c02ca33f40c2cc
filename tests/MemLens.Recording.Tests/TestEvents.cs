using System.Text;
using System.Text.Json;
using MemLens.Events;

namespace MemLens.Recording.Tests;

internal static class TestEvents
{
    public static GcEvent FullGc(long t, long index) => new(t, index)
    {
        Generation = 2,
        Kind = GcKind.FullBlocking,
        HasDetails = true,
        Compacted = true,
        Concurrent = false,
        Pause = TimeSpan.FromMilliseconds(3.125),
        PauseTimePercentage = 0.42,
        HeapSizeBeforeBytes = 210L << 20,
        HeapSizeAfterBytes = 12L << 20,
        CommittedBytes = 64L << 20,
        FragmentedBytes = 123_456,
        PromotedBytes = 7_654_321,
        PinnedObjects = 3,
        Reason = "Induced",
        Origin = "eventpipe",
        Generations =
        [
            new(1000, 0, 10, 0), new(2000, 100, 20, 1), new(3000, 2500, 30, 2), new(4000, 4000, 0, 0), new(0, 0, 0, 0),
        ],
    };

    public static GcEvent Gen0(long t, long index) => new(t, index)
    {
        Generation = 0,
        Kind = GcKind.Ephemeral,
        HasDetails = true,
        Pause = TimeSpan.FromMilliseconds(0.25),
        HeapSizeBeforeBytes = 30L << 20,
        HeapSizeAfterBytes = 20L << 20,
        Generations = [new(1000, 0, 10, 0), new(2000, 100, 20, 1), new(3000, 2500, 30, 2), new(4000, 4000, 0, 0), new(0, 0, 0, 0)],
    };

    public static string Json(MemEvent memEvent)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            memEvent.WriteJson(writer);
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }
}
