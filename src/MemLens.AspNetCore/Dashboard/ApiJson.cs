using System.Buffers;
using System.Text.Json;
using MemLens.AspNetCore.Actions;
using MemLens.Doctor;
using MemLens.Events;
using MemLens.Metrics;
using MemLens.Sampling;

namespace MemLens.AspNetCore.Dashboard;

/// <summary>The JSON documents of the dashboard API (docs/dashboard-api.md), written with Utf8JsonWriter.</summary>
internal static class ApiJson
{
    public static byte[] Serialize(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            write(writer);
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>
    /// Writes <c>api/catalog</c>. <paramref name="report"/> writes it for a self-contained report: no actions (there
    /// is no server to run them), <c>live: false</c>, <paramref name="title"/> instead of the monitor's, and the time it
    /// was written (<paramref name="nowMs"/>) as <c>serverTs</c>.
    /// </summary>
    public static void WriteCatalog(Utf8JsonWriter w, MemLensMonitor monitor, bool report = false, string? title = null, long? nowMs = null)
    {
        w.WriteStartObject();
        w.WriteNumber("version", 1);
        w.WriteString("title", title ?? monitor.Title);
        w.WriteBoolean("live", monitor.Live && !report);
        w.WriteStartObject("target");
        w.WriteNumber("pid", monitor.Target.ProcessId);
        w.WriteString("name", monitor.Target.Name);
        w.WriteString("runtime", monitor.Target.Runtime);
        w.WriteBoolean("inProcess", monitor.Target.InProcess);
        w.WriteEndObject();
        w.WriteNumber("intervalMs", (long)monitor.SampleInterval.TotalMilliseconds);
        w.WriteNumber("serverTs", nowMs ?? DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        long? first = monitor.FirstSampleMs();
        if (first is { } f)
        {
            w.WriteNumber("firstTs", f);
        }
        else
        {
            w.WriteNull("firstTs");
        }

        if (monitor.LastSampleMs() is { } last)
        {
            w.WriteNumber("lastTs", last);
        }
        else
        {
            w.WriteNull("lastTs");
        }

        WriteFacts(w, monitor.Facts);
        w.WriteStartArray("actions");
        if (report)
        {
            // A report is a file: nothing can act on the process from it.
        }
        else if (monitor.Release is not null)
        {
            w.WriteStartObject();
            w.WriteString("id", "release");
            w.WriteString("label", "Release memory");
            w.WriteString("url", "api/actions/release");
            w.WriteString("help", ReleaseAction.Help);
            w.WriteEndObject();
        }

        if (monitor.TargetActions is not null)
        {
            WriteAction(w, "gc", "Full GC", "api/actions/gc", TargetActionRunner.GcHelp);
            WriteAction(w, "snapshot", "Heap snapshot", "api/actions/snapshot", TargetActionRunner.SnapshotHelp);
        }

        w.WriteEndArray();

        w.WriteStartObject("metrics");
        foreach (var m in MetricCatalog.All)
        {
            w.WriteStartObject(m.Name);
            w.WriteString("label", m.Label);
            w.WriteString("unit", Units.Of(m.Unit));
            w.WriteString("kind", m.Kind == MetricKind.Counter ? "counter" : "gauge");
            w.WriteString("group", m.Group);
            w.WriteString("source", m.Source);
            w.WriteString("help", m.Help);
            w.WriteEndObject();
        }

        w.WriteEndObject();

        w.WriteStartArray("charts");
        foreach (var chart in DashboardCharts.All)
        {
            w.WriteStartObject();
            w.WriteString("id", chart.Id);
            w.WriteString("kind", chart.Kind);
            w.WriteString("title", chart.Title);
            w.WriteString("help", chart.Help);
            w.WriteString("unit", chart.Unit);
            if (chart.Requires is { Count: > 0 } requires)
            {
                w.WriteStartArray("requires");
                foreach (string id in requires)
                {
                    w.WriteStringValue(id);
                }

                w.WriteEndArray();
            }

            w.WriteStartArray("series");
            foreach (var s in chart.Series)
            {
                w.WriteStartObject();
                w.WriteString("id", s.Id);
                w.WriteString("label", s.Label);
                w.WriteString("unit", s.Unit);
                w.WriteString("color", s.Color);
                w.WriteBoolean("fill", s.Fill);
                if (s.Axis != ChartAxes.Left)
                {
                    w.WriteString("axis", s.Axis);
                }

                w.WriteString("help", s.Help);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    /// <summary><c>"facts": {key: value, …}</c>, keys in ordinal order so the answer does not depend on how they were gathered.</summary>
    private static void WriteFacts(Utf8JsonWriter w, IReadOnlyDictionary<string, string> facts)
    {
        w.WriteStartObject("facts");
        foreach (var (key, value) in facts.OrderBy(f => f.Key, StringComparer.Ordinal))
        {
            w.WriteString(key, value);
        }

        w.WriteEndObject();
    }

    /// <summary><c>api/findings</c>: the doctor's report over the range, as <see cref="DoctorReport.WriteJson"/> writes it.</summary>
    public static byte[] Findings(MemLensMonitor monitor, long fromMs, long toMs)
    {
        var report = MemoryDoctor.Examine(monitor.Store, monitor.Facts, fromMs, toMs);
        return Serialize(report.WriteJson);
    }

    private static void WriteAction(Utf8JsonWriter w, string id, string label, string url, string help)
    {
        w.WriteStartObject();
        w.WriteString("id", id);
        w.WriteString("label", label);
        w.WriteString("url", url);
        w.WriteString("help", help);
        w.WriteEndObject();
    }

    public static void WriteStatus(Utf8JsonWriter w, MemLensMonitor monitor, long? nowMs = null)
    {
        w.WriteStartObject();
        w.WriteNumber("serverTs", nowMs ?? DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        w.WriteBoolean("targetExited", monitor.TargetExited);
        w.WriteStartObject("store");
        w.WriteNumber("bytes", monitor.Store.MemoryBytes);
        w.WriteNumber("budgetBytes", monitor.Store.Options.MemoryBudgetBytes);
        w.WriteNumber("droppedEvents", monitor.Store.DroppedEvents);
        w.WriteEndObject();
        w.WriteStartObject("stream");
        w.WriteNumber("clients", monitor.Hub.ClientCount);
        w.WriteNumber("droppedFrames", monitor.Hub.DroppedFrames);
        w.WriteEndObject();
        w.WriteStartArray("sources");
        foreach (var s in monitor.Statuses)
        {
            w.WriteStartObject();
            w.WriteString("name", s.Name);
            w.WriteString("state", s.State switch
            {
                SourceState.Ok => "ok",
                SourceState.Failing => "failing",
                SourceState.Stopped => "stopped",
                _ => "starting",
            });
            w.WriteString("lastError", s.LastError);
            if (s.LastSuccessMs > 0)
            {
                w.WriteNumber("lastSuccessTs", s.LastSuccessMs);
            }
            else
            {
                w.WriteNull("lastSuccessTs");
            }

            w.WriteNumber("runs", s.Runs);
            w.WriteNumber("failures", s.Failures);
            w.WriteNumber("intervalMs", (long)s.Interval.TotalMilliseconds);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteStartArray("sinks");
        foreach (var sink in monitor.SinkStatuses)
        {
            w.WriteStartObject();
            w.WriteString("name", sink.Name);
            w.WriteString("state", sink.State);
            w.WriteString("lastError", sink.LastError);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    public static void WriteEvent(Utf8JsonWriter w, MemEvent e)
    {
        w.WriteStartObject();
        w.WriteNumber("ts", e.TimestampMs);
        e.WriteProperties(w);
        w.WriteString("description", e.Describe());
        w.WriteEndObject();
    }

    public static void WriteEvents(Utf8JsonWriter w, IReadOnlyList<MemEvent> events, bool truncated)
    {
        w.WriteStartObject();
        w.WriteStartArray("events");
        foreach (var e in events)
        {
            WriteEvent(w, e);
        }

        w.WriteEndArray();
        w.WriteBoolean("truncated", truncated);
        w.WriteEndObject();
    }

    public static void WriteError(Utf8JsonWriter w, string message, bool tokenRequired = false)
    {
        w.WriteStartObject();
        w.WriteString("error", message);
        if (tokenRequired)
        {
            w.WriteBoolean("tokenRequired", true);
        }

        w.WriteEndObject();
    }
}
