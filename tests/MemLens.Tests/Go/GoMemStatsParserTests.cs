using System.Text;
using FsCheck;
using FsCheck.Fluent;
using MemLens.Go;
using MemLens.Metrics;
using MemLens.Tests.Support;
using Xunit;

namespace MemLens.Tests.Go;

/// <summary>
/// runtime.MemStats from Go 1.19's heap profile and expvar JSON (Fixtures/go/README.md says how they were captured).
/// The expected figures were read off the fixture files by eye.
/// </summary>
public class GoMemStatsParserTests
{
    private static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "go", name);

    private static string PprofText() => File.ReadAllText(Fixture("go1.19.pprof-heap-debug1.txt"));

    private static byte[] ExpvarBytes() => File.ReadAllBytes(Fixture("go1.19.debug-vars.json"));

    [Fact]
    public void Go1_19_heap_profile_section_gives_ten_figures_and_no_pause_total()
    {
        Assert.True(GoMemStatsParser.TryParsePprofHeap(PprofText(), out GoMemStats? stats, out string? error), error);
        Assert.Null(error);
        Assert.Equal(84_328_728, stats!.Sys);
        Assert.Equal(71_008_256, stats.HeapSys);
        Assert.Equal(67_409_264, stats.HeapAlloc);
        Assert.Equal(67_911_680, stats.HeapInuse);
        Assert.Equal(3_096_576, stats.HeapIdle);
        Assert.Equal(3_063_808, stats.HeapReleased);
        Assert.Equal(294_912, stats.StackInuse); // "# Stack = 294912 / 294912"
        Assert.Equal(79_370_088, stats.NextGC);
        Assert.Equal(4, stats.NumGC);
        Assert.Null(stats.PauseTotalNs); // Go prints only the PauseNs ring there
        Assert.Equal(0.011699383334115968, stats.GCCPUFraction);
        Assert.Equal(10, stats.Count);
    }

    [Fact]
    public void Go1_19_expvar_memstats_gives_all_eleven_figures()
    {
        Assert.True(GoMemStatsParser.TryParseExpvar(ExpvarBytes(), out GoMemStats? stats, out string? error), error);
        Assert.Null(error);
        Assert.Equal(new GoMemStats
        {
            Sys = 84_328_728,
            HeapSys = 71_008_256,
            HeapAlloc = 67_456_048,
            HeapInuse = 68_108_288,
            HeapIdle = 2_899_968,
            HeapReleased = 2_899_968,
            StackInuse = 294_912,
            NextGC = 79_370_088,
            NumGC = 4,
            PauseTotalNs = 203_000,
            GCCPUFraction = 0.011699383334115968,
        }, stats);
        Assert.Equal(11, stats!.Count);
    }

    [Fact]
    public void WriteTo_writes_present_figures_in_base_units_and_skips_absent_ones()
    {
        GoMemStatsParser.TryParseExpvar(ExpvarBytes(), out GoMemStats? stats, out _);
        var writer = new RecordingWriter();
        stats!.WriteTo(writer);
        Assert.Equal(11, writer.Values.Count);
        Assert.Equal(84_328_728, writer.Values[MetricCatalog.GoSys]);
        Assert.Equal(71_008_256, writer.Values[MetricCatalog.GoHeapSys]);
        Assert.Equal(67_456_048, writer.Values[MetricCatalog.GoHeapAlloc]);
        Assert.Equal(68_108_288, writer.Values[MetricCatalog.GoHeapInuse]);
        Assert.Equal(2_899_968, writer.Values[MetricCatalog.GoHeapIdle]);
        Assert.Equal(2_899_968, writer.Values[MetricCatalog.GoHeapReleased]);
        Assert.Equal(294_912, writer.Values[MetricCatalog.GoStackInuse]);
        Assert.Equal(79_370_088, writer.Values[MetricCatalog.GoNextGc]);
        Assert.Equal(4, writer.Values[MetricCatalog.GoNumGc]);
        Assert.Equal(0.000203, writer.Values[MetricCatalog.GoPauseTotal], 12); // 203000 ns
        Assert.Equal(0.011699383334115968, writer.Values[MetricCatalog.GoGcCpuFraction]);

        writer.Clear();
        new GoMemStats { HeapAlloc = 5 }.WriteTo(writer);
        Assert.Equal([MetricCatalog.GoHeapAlloc], writer.Values.Keys);
    }

    [Theory]
    [InlineData("3.0277474498400646e-05", 3.0277474498400646e-05)] // Go's %v switches to exponent form below 1e-4
    [InlineData("0", 0.0)]
    [InlineData("1e-07", 1e-07)]
    public void Gc_cpu_fraction_is_read_in_every_form_go_prints(string printed, double expected)
    {
        string text = $"heap profile: 0: 0 [0: 0] @ heap/1048576\n\n# runtime.MemStats\n# GCCPUFraction = {printed}\n# DebugGC = false\n";
        Assert.True(GoMemStatsParser.TryParsePprofHeap(text, out GoMemStats? stats, out _));
        Assert.Equal(expected, stats!.GCCPUFraction);
        Assert.Equal(1, stats.Count);
    }

    [Fact]
    public void Heap_section_with_crlf_a_stack_inuse_line_and_unknown_lines()
    {
        string text = "# runtime.MemStats\r\n# Sys = 10\r\n# Something = new\r\n# StackInuse = 7\r\n# Stack = 9 / 9\r\n" +
                      "# PauseTotalNs = 123\r\n# Sys = 99\r\nnot a comment\r\n# NumGC = x\r\n# NextGC = -5\r\n# HeapAlloc = 18446744073709551615";
        Assert.True(GoMemStatsParser.TryParsePprofHeap(text, out GoMemStats? stats, out _));
        Assert.Equal(10, stats!.Sys);           // the first occurrence wins
        Assert.Equal(7, stats.StackInuse);      // a StackInuse line, if a runtime prints one, before "Stack = a / b"
        Assert.Equal(123, stats.PauseTotalNs);  // read when a runtime prints it
        Assert.Null(stats.NumGC);               // unparsable figures are absent, not zero
        Assert.Null(stats.NextGC);
        Assert.Null(stats.HeapAlloc);           // beyond long: absent
        Assert.Equal(3, stats.Count);
    }

    [Theory]
    [InlineData("")]
    [InlineData("heap profile: 1: 2 [3: 4] @ heap/1048576\n1: 2 [3: 4] @ 0x1\n")]
    [InlineData("x # runtime.MemStats\n# Sys = 1\n")] // the header must start a line
    [InlineData("# runtime.MemStatsX\n# Sys = 1\n")]  // and be the whole line
    [InlineData("<html><body>404 page not found</body></html>")]
    public void Heap_text_without_the_section_is_refused_in_one_line(string text)
    {
        Assert.False(GoMemStatsParser.TryParsePprofHeap(text, out GoMemStats? stats, out string? error));
        Assert.Null(stats);
        Assert.Contains("runtime.MemStats", error, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error!);
    }

    [Fact]
    public void Heap_section_with_no_known_figure_is_refused()
    {
        Assert.False(GoMemStatsParser.TryParsePprofHeap("# runtime.MemStats\n# Lookups = 0\n# DebugGC = false\n", out _, out string? error));
        Assert.Contains("none of the figures", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Heap_profile_cut_at_any_point_never_throws_and_before_the_section_fails()
    {
        string text = PprofText();
        int section = text.IndexOf("# runtime.MemStats", StringComparison.Ordinal);
        for (int length = 0; length <= text.Length; length++)
        {
            bool ok = GoMemStatsParser.TryParsePprofHeap(text.AsSpan(0, length), out GoMemStats? stats, out string? error);
            Assert.True(ok == (stats is not null) && ok == (error is null), $"length {length}");
            if (length < section + "# runtime.MemStats".Length + 16)
            {
                Assert.False(ok, $"length {length}");
            }
        }
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData(" \r\n ", "empty")]
    [InlineData("{", "malformed JSON")]
    [InlineData("[1, 2]", "expected expvar's JSON object, found an array")]
    [InlineData("{\"cmdline\": [\"./svc\"]}", "no memstats object")]
    [InlineData("{\"memstats\": 5}", "memstats is a number, not an object")]
    [InlineData("{\"memstats\": {\"Sys\": 1}} x", "malformed JSON")]
    [InlineData("{\"memstats\": {\"Sys\": 1}}{}", "malformed JSON")]
    [InlineData("{\"memstats\": {\"Sys\": 1},}", "malformed JSON")]
    [InlineData("{\"memstats\": {\"Lookups\": 0, \"BySize\": []}}", "none of the figures")]
    [InlineData("<html>404 page not found</html>", "malformed JSON")]
    public void Malformed_expvar_json_is_refused_in_one_line(string json, string expected)
    {
        Assert.False(GoMemStatsParser.TryParseExpvar(Encoding.UTF8.GetBytes(json), out GoMemStats? stats, out string? error));
        Assert.Null(stats);
        Assert.Contains(expected, error, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error!);
    }

    [Fact]
    public void Expvar_fields_that_are_not_unsigned_integers_are_absent_and_escaped_names_match()
    {
        string json = "{\"other\": {\"memstats\": {\"Sys\": 1}}, \"mem\\u0073tats\": {\"Sys\": \"12\", \"HeapAlloc\": -1, " +
                      "\"HeapSys\": 2.5, \"NextGC\": 4e3, \"NumGC\": 3, \"GCCPUFraction\": 1.5e-07, \"PauseNs\": [1, 2], " +
                      "\"BySize\": [{\"Size\": 8}]}, \"memstats\": {\"Sys\": 77}}";
        Assert.True(GoMemStatsParser.TryParseExpvar(Encoding.UTF8.GetBytes(json), out GoMemStats? stats, out string? error), error);
        Assert.Null(stats!.Sys);        // a string; and the nested and the second "memstats" are not read
        Assert.Null(stats.HeapAlloc);   // negative
        Assert.Null(stats.HeapSys);     // not integral
        Assert.Equal(4000, stats.NextGC);
        Assert.Equal(3, stats.NumGC);
        Assert.Equal(1.5e-07, stats.GCCPUFraction);
    }

    [Fact]
    public void Expvar_json_cut_at_any_point_is_refused_but_a_cut_after_memstats_is_enough_when_the_body_was_bounded()
    {
        byte[] json = ExpvarBytes();
        int memStatsEnd = Encoding.UTF8.GetString(json).IndexOf("}]}", StringComparison.Ordinal) + 3; // BySize's end, then memstats'
        for (int length = 0; length < json.Length - 1; length++) // the body ends with "}\n": only the "\n" may go
        {
            Assert.False(GoMemStatsParser.TryParseExpvar(json.AsSpan(0, length), out _, out string? error), $"length {length}");
            Assert.DoesNotContain('\n', error!);

            bool ok = GoMemStatsParser.TryParseExpvar(json.AsSpan(0, length), isComplete: false, out GoMemStats? stats, out error);
            Assert.Equal(length >= memStatsEnd, ok);
            Assert.True(ok == (stats is not null) && ok == (error is null), $"length {length}");
        }
    }

    [Fact]
    public void Arbitrary_heap_texts_never_throw()
    {
        var prefixes = Gen.Elements("", "# runtime.MemStats\n", "# runtime.MemStats\n# Sys = ", "# runtime.MemStats\n# Stack = 1 / ",
            "# runtime.MemStats\n# GCCPUFraction = ", "x\n# runtime.MemStats\r\n# HeapAlloc = 1\n# ");
        var texts = from prefix in prefixes
                    from tail in ArbMap.Default.GeneratorFor<string>()
                    select prefix + (tail ?? "");
        Prop.ForAll(texts.ToArbitrary(), text =>
        {
            bool ok = GoMemStatsParser.TryParsePprofHeap(text, out GoMemStats? stats, out string? error);
            return ok ? stats is { Count: > 0 } && error is null : stats is null && error is not null && !error.Contains('\n');
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Arbitrary_bytes_and_mutated_expvar_json_never_throw()
    {
        byte[] fixture = ExpvarBytes();
        var mutated = from position in Gen.Choose(0, fixture.Length - 1)
                      from length in Gen.Choose(0, fixture.Length)
                      from b in ArbMap.Default.GeneratorFor<byte>()
                      select Mutate(fixture, position, length, b);
        var inputs = Gen.OneOf(ArbMap.Default.GeneratorFor<byte[]>(), mutated,
            ArbMap.Default.GeneratorFor<string>().Select(s => Encoding.UTF8.GetBytes("{\"memstats\":{\"Sys\":" + s)));
        Prop.ForAll(inputs.ToArbitrary(), bytes =>
        {
            bool complete = GoMemStatsParser.TryParseExpvar(bytes, out GoMemStats? a, out string? errorA);
            bool partial = GoMemStatsParser.TryParseExpvar(bytes, isComplete: false, out GoMemStats? b, out string? errorB);
            return (complete ? a is not null && errorA is null : a is null && errorA is not null && !errorA.Contains('\n'))
                && (partial ? b is not null && errorB is null : b is null && errorB is not null && !errorB.Contains('\n'));
        }).QuickCheckThrowOnFailure();
    }

    // Overwrites one byte and cuts the copy at length: JSON broken somewhere in its middle.
    private static byte[] Mutate(byte[] source, int position, int length, byte value)
    {
        byte[] copy = source.AsSpan(0, Math.Max(length, position + 1)).ToArray();
        copy[position] = value;
        return copy;
    }
}
