using System.Text.Json;
using System.Threading.Channels;
using MemLens.Formatting;
using MemLens.Metrics;
using MemLens.Storage;
using MemLens.Tool.Watching;

namespace MemLens.Tool.Rendering;

/// <summary>
/// One JSON object per sample on one line, for scripts:
/// <c>{"t": "2026-11-22T10:00:01.000Z", "pid": 42, "metrics": {"process.memory.rss": 1234, …}, "events": [ … ]}</c>.
/// Metric names are the catalog's, values are in base units (bytes, seconds, counts); a metric the
/// system does not provide is left out, never written as zero.
/// </summary>
internal sealed class JsonLinesRenderer(Stream output) : IWatchRenderer
{
    private static readonly JsonWriterOptions s_options = new() { Indented = false, SkipValidation = false };

    public async Task RunAsync(WatchTarget target, ChannelReader<WatchFrame> frames, CancellationToken cancellationToken)
    {
        var line = new JsonLineWriter(s_options);
        // Reads until the session completes the channel, so the last sample is always written.
        await foreach (var frame in frames.ReadAllAsync(CancellationToken.None).ConfigureAwait(false))
        {
            line.Write(output, writer => WriteFrame(writer, target.ProcessId, frame));
            await output.FlushAsync(CancellationToken.None).ConfigureAwait(false);
        }
    }

    private static void WriteFrame(Utf8JsonWriter writer, int pid, WatchFrame frame)
    {
        writer.WriteStartObject();
        writer.WriteString("t", Timestamps.ToIso8601(frame.TimestampMs));
        writer.WriteNumber("pid", pid);
        writer.WriteStartObject("metrics");
        WriteLatest(writer, frame.Store);
        writer.WriteEndObject();
        writer.WriteStartArray("events");
        foreach (var e in frame.Events)
        {
            e.WriteJson(writer);
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    private static void WriteLatest(Utf8JsonWriter writer, MetricStore store)
    {
        foreach (var latest in store.GetLatestValues())
        {
            writer.WriteNumber(latest.Metric.Name, latest.Value);
        }
    }
}
