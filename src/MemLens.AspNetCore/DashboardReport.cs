using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using MemLens.AspNetCore.Dashboard;
using MemLens.Doctor;
using MemLens.Events;

namespace MemLens.AspNetCore;

/// <summary>
/// A self-contained HTML report of what a monitor holds (a recording loaded into its store, or a process being
/// watched): the dashboard's own page with its script and stylesheet inlined and the data embedded — the process's
/// facts, the doctor's findings, every chart over the whole range (downsampled) and the events — so it opens from
/// a file, mailed to a colleague, with no server and no network request. See docs/report.md.
/// </summary>
public static class DashboardReport
{
    /// <summary>Writes the report as one HTML file (UTF-8) to <paramref name="output"/>, which is left open.</summary>
    /// <exception cref="InvalidOperationException">The dashboard's page was not built into this assembly.</exception>
    public static void Write(Stream output, MemLensMonitor monitor, ReportOptions? options = null) =>
        Write(output, monitor, options, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());

    /// <summary>As <see cref="Write(Stream, MemLensMonitor, ReportOptions?)"/>, generated at a given time (tests).</summary>
    internal static void Write(Stream output, MemLensMonitor monitor, ReportOptions? options, long generatedTs)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(monitor);
        options ??= new ReportOptions();
        options.Validate();
        string title = options.Title ?? monitor.Title;
        byte[] data = Data(monitor, options, title, generatedTs);
        ReportPage.Write(output, DashboardAssets.Instance.Files, data, title);
    }

    /// <summary>
    /// The embedded document: <c>{version, generatedTs, from, to, catalog, status, series, events, findings}</c>, each
    /// part in the shape of its API answer (docs/dashboard-api.md) over the whole recorded range.
    /// </summary>
    internal static byte[] Data(MemLensMonitor monitor, ReportOptions options, string title, long generatedTs)
    {
        var store = monitor.Store;
        var events = store.GetEvents(long.MinValue, long.MaxValue);
        long? firstSample = monitor.FirstSampleMs();
        long? lastSample = monitor.LastSampleMs();
        // The recorded range: the samples', widened to the events (a process's exit comes just after its last sample).
        long from = Min(firstSample, events.Count > 0 ? events[0].TimestampMs : null) ?? generatedTs;
        long to = Max(lastSample, events.Count > 0 ? events[^1].TimestampMs : null) ?? generatedTs;
        long seriesFrom = firstSample ?? from;
        long seriesTo = lastSample ?? to;

        var buffer = new ArrayBufferWriter<byte>(256 * 1024);
        // Relaxed escaping keeps non-ASCII text (→, µ) as UTF-8; ReportPage then escapes every '<' for the HTML.
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WriteNumber("version", 1);
            w.WriteNumber("generatedTs", generatedTs);
            w.WriteNumber("from", from);
            w.WriteNumber("to", to);
            w.WritePropertyName("catalog");
            ApiJson.WriteCatalog(w, monitor, report: true, title, generatedTs);
            w.WritePropertyName("status");
            ApiJson.WriteStatus(w, monitor, generatedTs);
            w.WritePropertyName("series");
            SeriesGrid.Write(w, store, SeriesWithData(monitor), seriesFrom, seriesTo, options.MaxPointsPerSeries, (long)monitor.SampleInterval.TotalMilliseconds);
            WriteEvents(w, events, options.MaxEvents);
            w.WritePropertyName("findings");
            WriteFindings(w, monitor, seriesFrom, seriesTo);
            w.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>The charts' series that have values in the store (an empty series would cost a null per point).</summary>
    private static List<string> SeriesWithData(MemLensMonitor monitor)
    {
        var stored = monitor.Store.Metrics.Select(m => m.Name).ToHashSet(StringComparer.Ordinal);
        var ids = new List<string>();
        foreach (string id in DashboardCharts.SeriesIds)
        {
            if (!DerivedSeries.TryResolve(id, out var s))
            {
                continue;
            }

            bool has = s switch
            {
                { Difference: { } d } => stored.Contains(d.Minuend.Name) && stored.Contains(d.Subtrahend.Name),
                { Metric: { } m } => stored.Contains(m.Name),
                _ => false,
            };
            if (has)
            {
                ids.Add(id);
            }
        }

        return ids;
    }

    private static void WriteEvents(Utf8JsonWriter w, IReadOnlyList<MemEvent> events, int maxEvents)
    {
        bool truncated = events.Count > maxEvents;
        var kept = truncated ? DashboardEndpoints.Thin(events, maxEvents) : events;
        w.WriteStartObject("events");
        w.WriteStartArray("events");
        var scratch = new ArrayBufferWriter<byte>(1024);
        foreach (var e in kept)
        {
            if (e is GcEvent)
            {
                WriteGcSummary(w, e, scratch);
            }
            else
            {
                ApiJson.WriteEvent(w, e);
            }
        }

        w.WriteEndArray();
        w.WriteBoolean("truncated", truncated);
        w.WriteNumber("total", events.Count);
        w.WriteNumber("maxEvents", maxEvents);
        w.WriteEndObject();
    }

    /// <summary>
    /// A GC as <c>api/events</c> has it, but only the fields the page draws and lists (marker, pause point, timeline
    /// line): a GC's per-generation sizes and diagnostics are several times larger than its summary, and a report
    /// holds thousands of GCs. The recording keeps them all.
    /// </summary>
    private static void WriteGcSummary(Utf8JsonWriter w, MemEvent e, ArrayBufferWriter<byte> scratch)
    {
        scratch.Clear();
        using (var full = new Utf8JsonWriter(scratch))
        {
            ApiJson.WriteEvent(full, e);
        }

        using var doc = JsonDocument.Parse(scratch.WrittenMemory);
        w.WriteStartObject();
        foreach (var p in doc.RootElement.EnumerateObject())
        {
            if (s_gcSummaryFields.Contains(p.Name))
            {
                p.WriteTo(w);
            }
        }

        w.WriteEndObject();
    }

    private static readonly HashSet<string> s_gcSummaryFields =
        new(["ts", "type", "index", "generation", "kind", "details", "pause", "heap_before", "heap_after", "reason", "description"], StringComparer.Ordinal);

    private static void WriteFindings(Utf8JsonWriter w, MemLensMonitor monitor, long from, long to)
    {
        DoctorReport report;
        try
        {
            report = MemoryDoctor.Examine(monitor.Store, monitor.Facts, from, to);
        }
#pragma warning disable CA1031 // A report without findings is still a report: the page says why they are missing.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            w.WriteStartObject();
            w.WriteString("error", $"{ex.GetType().Name}: {ex.Message}");
            w.WriteEndObject();
            return;
        }

        report.WriteJson(w);
    }

    private static long? Min(long? a, long? b) => a is null ? b : b is null ? a : Math.Min(a.Value, b.Value);

    private static long? Max(long? a, long? b) => a is null ? b : b is null ? a : Math.Max(a.Value, b.Value);
}
