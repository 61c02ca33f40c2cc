using System.Buffers;
using System.Text;
using System.Text.Json;
using MemLens.Demo.Scenarios;

namespace MemLens.Demo.Output;

/// <summary>What the scenario believes it holds, so tests can compare it with MemLens's figures.</summary>
internal static class StatusJson
{
    public static string Write(IScenario scenario, TimeSpan elapsed)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("scenario", scenario.Name);
            json.WriteString("phase", scenario.Phase);
            json.WriteNumber("pid", Environment.ProcessId);
            json.WriteNumber("elapsed_seconds", Math.Round(elapsed.TotalSeconds, 3));
            json.WriteNumber("managed_bytes", scenario.ManagedBytesHeld);
            json.WriteNumber("native_bytes", scenario.NativeBytesHeld);

            // Every GC counts as a gen0 collection too, so this is the total number of GCs.
            json.WriteNumber("gc_count", GC.CollectionCount(0));
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
