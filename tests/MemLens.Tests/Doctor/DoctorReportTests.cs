using System.Buffers;
using System.Text.Json;
using System.Text.RegularExpressions;
using MemLens.Doctor;
using MemLens.Events;
using MemLens.Metrics;
using MemLens.Tests.Support;
using Xunit;
using static MemLens.Tests.Doctor.SyntheticProcess;

namespace MemLens.Tests.Doctor;

public partial class DoctorReportTests
{
    private static DoctorReport Leak()
    {
        var p = DotNet()
            .Series(MetricCatalog.GcHeapSize, 300, s => 20 + (0.5 * s))
            .Series(MetricCatalog.GcCommitted, 300, s => 30 + (0.5 * s))
            .Series(MetricCatalog.ProcessRss, 300, s => 80 + (0.5 * s));
        for (int s = 20; s <= 300; s += 20)
        {
            p.Gc(s, 2, 25 + (0.5 * s), 20 + (0.5 * s));
        }

        return p.Examine(300);
    }

    [Fact]
    public void The_text_has_title_confidence_summary_evidence_with_its_range_next_steps_and_the_docs()
    {
        string text = Leak().ToText();

        Assert.StartsWith("Memory doctor, 2025-11-22 08:26:40–08:31:40 UTC (5m 00s)\n", text, StringComparison.Ordinal);
        Assert.Contains("\nManaged leak (high confidence)\n   The .NET heap that survives GCs keeps growing", text, StringComparison.Ordinal);
        Assert.Matches(@"\n   Evidence, 08:26:4\d–08:31:[34]\d UTC:\n   - GC heap after each GC", text);
        Assert.Contains("\n   Next:\n   - Take two heap snapshots", text, StringComparison.Ordinal);
        Assert.EndsWith("   More: docs/doctor.md#managed-leak\n", text, StringComparison.Ordinal);
        Assert.All(text.Split('\n'), line => Assert.True(line.Length <= DoctorText.DefaultWidth || !line.TrimStart().Contains(' ', StringComparison.Ordinal), $"too long: {line}"));
    }

    [Fact]
    public void Healthy_is_said_plainly()
    {
        var p = DotNet()
            .Series(MetricCatalog.GcHeapSize, 200, _ => 20)
            .Series(MetricCatalog.GcCommitted, 200, _ => 30)
            .Series(MetricCatalog.ProcessRss, 200, _ => 80);

        string text = p.Examine(200).ToText();

        Assert.Contains("\nVerdict: healthy.\n", text, StringComparison.Ordinal);
        Assert.Contains("\nHealthy (", text, StringComparison.Ordinal);
        Assert.Contains("Nothing wrong: memory is flat", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Several_findings_are_numbered_and_listed_first()
    {
        var p = DotNet()
            .Series(MetricCatalog.GcHeapSize, 300, s => 20 + (0.5 * s))
            .Series(MetricCatalog.GcCommitted, 300, s => 30 + (0.5 * s))
            .Series(MetricCatalog.ProcessRss, 300, s => 80 + (0.5 * s))
            .Series(MetricCatalog.ContainerUsage, 300, _ => 990)
            .Series(MetricCatalog.ContainerLimit, 300, _ => 1000);

        string text = p.Examine(300).ToText(width: 60);

        Assert.Contains("Found 2: near the container's memory limit, managed leak.\n", text, StringComparison.Ordinal);
        Assert.Contains("\n1. Near the container's memory limit (", text, StringComparison.Ordinal);
        Assert.Contains("\n2. Managed leak (", text, StringComparison.Ordinal);
        Assert.All(text.Split('\n'), line => Assert.True(line.Length <= 60 || !line.TrimStart().Contains(' ', StringComparison.Ordinal), $"too long: {line}"));
    }

    [Fact]
    public void The_json_keeps_its_shape()
    {
        var report = Leak();
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            report.WriteJson(writer);
        }

        using var doc = JsonDocument.Parse(buffer.WrittenMemory);
        var root = doc.RootElement;
        Assert.Equal(T0, root.GetProperty("from").GetInt64());
        Assert.False(root.GetProperty("healthy").GetBoolean());
        var finding = root.GetProperty("findings")[0];
        Assert.Equal("managed-leak", finding.GetProperty("id").GetString());
        Assert.Equal("high", finding.GetProperty("confidence").GetString());
        Assert.Equal("docs/doctor.md#managed-leak", finding.GetProperty("docs").GetString());
        Assert.True(finding.GetProperty("evidence").GetArrayLength() >= 2);
        Assert.True(finding.GetProperty("next_steps").GetArrayLength() >= 2);
    }

    [Fact]
    public void Events_are_read_through_their_json_whatever_their_class()
    {
        // The same GC as the in-process class and as an event known only by its JSON (a recording, a replay).
        var gc = new GcEvent(T0, 7) { Generation = 2, Kind = GcKind.Background, HasDetails = true, HeapSizeBeforeBytes = 300, HeapSizeAfterBytes = 100, FragmentedBytes = 5 };
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            gc.WriteJson(writer);
        }

        using var doc = JsonDocument.Parse(buffer.WrittenMemory);
        var replayed = new ReplayedEvent(T0, doc.RootElement.Clone());
        var fields = new EventFields("generation", "heap_after", "kind", "details", "missing");
        foreach (var e in new MemEvent[] { gc, replayed })
        {
            Assert.True(fields.Load(e));
            Assert.Equal("gc", fields.Type);
            Assert.Equal(2, fields.Number(0));
            Assert.Equal(100, fields.Number(1));
            Assert.Equal("background", fields.String(2));
            Assert.True(fields.Bool(3));
            Assert.Null(fields.Number(4));
        }
    }

    [Fact]
    public void A_gc_whose_details_were_missed_is_not_counted_as_a_full_GC()
    {
        var p = DotNet()
            .Series(MetricCatalog.GcHeapSize, 200, s => 20 + (0.5 * s))
            .Series(MetricCatalog.GcCommitted, 200, s => 30 + (0.5 * s))
            .Series(MetricCatalog.ProcessRss, 200, s => 80 + (0.5 * s));
        p.Store.AddEvent(new GcEvent(T0 + 150_000, 1) { Generation = 2, HasDetails = false });

        var leak = p.Examine(200).Findings.Single();

        Assert.Contains("No full GC in the range", leak.Evidence[1], StringComparison.Ordinal);
    }

    [Fact]
    public void Docs_explain_every_finding_under_its_id()
    {
        string docs = File.ReadAllText(Path.Combine(RepositoryRoot.Path, "docs", "doctor.md"));
        var headings = HeadingPattern().Matches(docs).Select(m => m.Groups[1].Value).ToList();

        Assert.All(FindingIds.All, id => Assert.Contains(id, headings));
    }

    [GeneratedRegex("^## ([a-z-]+)$", RegexOptions.Multiline)]
    private static partial Regex HeadingPattern();
}
