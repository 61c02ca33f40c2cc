using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Xunit;
using Xunit.Abstractions;

namespace MemLens.EndToEnd.Tests.Go;

/// <summary>
/// `memlens run --go-pprof URL -- ./memstats`: the real Go sample (samples/go/memstats) under memlens, its MemStats
/// polled from its own net/http/pprof endpoint beside its trace and its /proc figures, compared with what the program
/// prints from runtime.ReadMemStats; and the MADV_FREE case that looks like a leak.
/// </summary>
public sealed class GoRunMemStatsTests(ITestOutputHelper output)
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(90);

    private static readonly string[] s_fields =
        ["Sys", "HeapSys", "HeapAlloc", "HeapInuse", "HeapIdle", "HeapReleased", "StackInuse", "NextGC", "NumGC", "GCCPUFraction"];

    private static readonly Dictionary<string, string> s_metric = new()
    {
        ["Sys"] = "go.memstats.sys", ["HeapSys"] = "go.memstats.heap_sys", ["HeapAlloc"] = "go.memstats.heap_alloc",
        ["HeapInuse"] = "go.memstats.heap_inuse", ["HeapIdle"] = "go.memstats.heap_idle", ["HeapReleased"] = "go.memstats.heap_released",
        ["StackInuse"] = "go.memstats.stack_inuse", ["NextGC"] = "go.memstats.next_gc", ["NumGC"] = "go.memstats.num_gc",
        ["GCCPUFraction"] = "go.memstats.gc_cpu_fraction",
    };

    [Fact]
    public async Task The_last_memstats_polled_under_run_equal_within_1_percent_what_the_program_read_for_that_request()
    {
        string program = await GoPrograms.BuildAsync("memstats");
        string addr = FreeLoopbackAddress();

        var (code, stdout, stderr) = await ToolProcess.RunAsync(s_timeout, new Dictionary<string, string>(), stdin: null,
            "run", "--json-lines", "--go-pprof", "http://" + addr, "--", program, "-addr", addr, "-alloc", "32", "-exit-after", "6s");

        Assert.True(code == 0, stderr);
        // stdout carries both, in the order they were written: the program's "memstats {…}" line for each request
        // (printed before it answers) and memlens's samples (written after the answer was parsed).
        var printed = new List<JsonElement>();
        JsonElement? lastSample = null;
        int printedBeforeLastSample = 0;
        foreach (string line in stdout.Split('\n'))
        {
            if (line.StartsWith("memstats ", StringComparison.Ordinal))
            {
                printed.Add(JsonDocument.Parse(line["memstats ".Length..]).RootElement.Clone());
            }
            else if (line.StartsWith('{'))
            {
                var sample = JsonDocument.Parse(line).RootElement.Clone();
                if (sample.GetProperty("metrics").TryGetProperty("go.memstats.heap_alloc", out _))
                {
                    lastSample = sample;
                    printedBeforeLastSample = printed.Count;
                }
            }
        }

        Assert.True(lastSample is not null, "no MemStats in memlens's samples:\n" + stderr);
        Assert.True(printedBeforeLastSample >= 3, $"the program was asked {printed.Count} times in 6 s");
        var metrics = lastSample.Value.GetProperty("metrics");
        // The values come from the last request whose answer memlens had read by then: the last one the program had
        // printed, or the one before it when the next request (sent as the sample was taken) had already been printed.
        var candidates = printed.Take(printedBeforeLastSample).TakeLast(2).Reverse().ToList();
        var match = candidates.FirstOrDefault(c => s_fields.All(f => Within1Percent(c.GetProperty(f).GetDouble(), metrics.GetProperty(s_metric[f]).GetDouble())));
        Assert.True(match.ValueKind == JsonValueKind.Object,
            "memlens's last MemStats " + string.Join(", ", s_fields.Select(f => $"{f}={metrics.GetProperty(s_metric[f]).GetDouble()}")) +
            " match neither of the program's last two readings:\n" + string.Join("\n", candidates));
        output.WriteLine("matched: " + match);
        // The heap profile does not carry PauseTotalNs: left out, not zero.
        Assert.False(metrics.TryGetProperty("go.memstats.pause_total", out _));
        // Beside the trace and the kernel's figures of the same process.
        Assert.True(metrics.GetProperty("process.memory.rss").GetDouble() > 32 << 20);
        Assert.True(metrics.TryGetProperty("go.gc.count", out _) || metrics.GetProperty("go.memstats.num_gc").GetDouble() == 0);
    }

    /// <summary>
    /// The first run on a fresh machine: the program built from an empty GOCACHE and started under `memlens run
    /// --go-pprof`, listening 2 s after it started (-listen-after, a server slow to start), so memlens's first polls are
    /// refused. memlens waits for it (a note, no source error, no back-off) and has MemStats within a few samples of
    /// "listening".
    /// </summary>
    [Fact]
    public async Task A_cold_built_program_that_listens_late_has_memstats_from_its_first_answers_without_a_source_error()
    {
        string program = await GoPrograms.BuildColdAsync("memstats");
        string addr = FreeLoopbackAddress();
        await using var tool = RunningTool.Start("run", "--json-lines", "--go-pprof", "http://" + addr, "--",
            program, "-addr", addr, "-alloc", "32", "-listen-after", "2s");
        await tool.WaitForLineAsync("listening ", s_timeout);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        List<string> lines;
        while (true)
        {
            lines = [.. tool.Stdout.Split('\n')];
            if (lines.Any(l => l.StartsWith('{') && l.Contains("\"go.memstats.heap_alloc\"", StringComparison.Ordinal)))
            {
                break;
            }

            Assert.True(clock.Elapsed < s_timeout, $"no MemStats {s_timeout} after the program listened:\n{tool.Stdout}\n{tool.Stderr}");
            await Task.Delay(100);
        }

        int listened = lines.FindIndex(l => l.StartsWith("listening ", StringComparison.Ordinal));
        int first = lines.FindIndex(l => l.StartsWith('{') && l.Contains("\"go.memstats.heap_alloc\"", StringComparison.Ordinal));
        int samplesBetween = lines.Skip(listened).Take(first - listened).Count(l => l.StartsWith('{'));
        // Polled at the normal 1 s interval: the sample after "listening" starts the poll that answers, the next writes it.
        Assert.True(samplesBetween <= 3, $"{samplesBetween} samples between \"listening\" and the first MemStats:\n{tool.Stdout}");

        var events = lines.Where(l => l.StartsWith('{'))
            .SelectMany(l => JsonDocument.Parse(l).RootElement.GetProperty("events").EnumerateArray().Select(e => e.Clone())).ToList();
        Assert.DoesNotContain(events, e => e.GetProperty("type").GetString() == "source.error");
        Assert.Contains(events, e => e.GetProperty("type").GetString() == "source.note"
            && e.GetProperty("message").GetString()!.StartsWith("go.memstats: waiting for http://" + addr, StringComparison.Ordinal));
    }

    /// <summary>
    /// GODEBUG=madvdontneed=0: the runtime returns freed heap with MADV_FREE, so HeapReleased rises while RSS stays
    /// where it was and the kernel counts the pages as LazyFree: the case users take for a leak.
    /// </summary>
    [Fact]
    public async Task With_madv_free_a_freed_heap_shows_heap_released_rising_while_rss_stays_up_as_lazyfree()
    {
        // LazyFree comes from smaps_rollup, which memlens reads less often as the process grows (its cost follows
        // resident memory: every ~3 s at 130 MiB on an idle machine, and several times that when the cores are busy),
        // so the run lasts until a sample after the free has MemStats polled after it and a new LazyFree reading.
        var (before, after) = await FreeLargeHeapAsync("madvdontneed=0",
            (b, a) => a.HeapReleased - b.HeapReleased >= 96 << 20 && a.TraceReleased > b.TraceReleased && a.LazyFree != b.LazyFree);

        Assert.True(after.HeapReleased - before.HeapReleased >= 96 << 20, $"HeapReleased {Mib(before.HeapReleased)} → {Mib(after.HeapReleased)}");
        Assert.True(after.TraceReleased - before.TraceReleased >= 96 << 20, $"scavenger total {Mib(before.TraceReleased)} → {Mib(after.TraceReleased)}");
        Assert.True(after.Rss >= before.Rss * 0.9, $"RSS {Mib(before.Rss)} → {Mib(after.Rss)} should stay up");
        Assert.True(after.LazyFree >= 96 << 20, $"LazyFree {Mib(after.LazyFree)}");
        Assert.True(before.LazyFree < 16 << 20, $"LazyFree before the free {Mib(before.LazyFree)}");
    }

    /// <summary>The control: with MADV_DONTNEED (Go's default since 1.16) the same free takes RSS down at once and leaves no LazyFree.</summary>
    [Fact]
    public async Task With_madv_dontneed_the_same_free_takes_rss_down_and_leaves_no_lazyfree()
    {
        var (before, after) = await FreeLargeHeapAsync("madvdontneed=1",
            (b, a) => a.HeapReleased - b.HeapReleased >= 96 << 20 && a.TraceReleased > b.TraceReleased);

        Assert.True(after.HeapReleased - before.HeapReleased >= 96 << 20, $"HeapReleased {Mib(before.HeapReleased)} → {Mib(after.HeapReleased)}");
        Assert.True(after.Rss < before.Rss - (96 << 20), $"RSS {Mib(before.Rss)} → {Mib(after.Rss)} should drop");
        Assert.True(after.LazyFree < 16 << 20, $"LazyFree {Mib(after.LazyFree)}");
    }

    private sealed record Figures(double Rss, double LazyFree, double HeapReleased, double TraceReleased);

    // Runs the sample with 128 MiB live, freed after 3 s (runtime.GC + debug.FreeOSMemory), under memlens run, until
    // `settled` holds for the store's figures in the last sample between "listening" (the heap is allocated) and
    // "freeing" and in the last sample after it (a condition, not a window: on a slow machine it takes longer); returns
    // those two. The program runs until memlens and it are ended together.
    private async Task<(Figures Before, Figures After)> FreeLargeHeapAsync(string godebug, Func<Figures, Figures, bool> settled)
    {
        string program = await GoPrograms.BuildAsync("memstats");
        string addr = FreeLoopbackAddress();
        var env = new Dictionary<string, string> { ["GODEBUG"] = godebug };

        await using var tool = RunningTool.Start(env,
            "run", "--json-lines", "--go-pprof", "http://" + addr, "--", program, "-addr", addr, "-alloc", "128", "-free-after", "3s");
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            var (before, after) = BeforeAndAfter(tool.Stdout);
            if (before is not null && after is not null && settled(before, after))
            {
                output.WriteLine($"{godebug}: before {before}, after {after} ({clock.Elapsed.TotalSeconds:0.#} s)");
                Assert.True(before.Rss >= 128 << 20, $"RSS before the free {Mib(before.Rss)}: the 128 MiB heap should be resident");
                return (before, after);
            }

            Assert.False(tool.Process.HasExited, $"memlens run ended first (exit code {(tool.Process.HasExited ? tool.Process.ExitCode : 0)}):\n{tool.Stdout}\n{tool.Stderr}");
            Assert.True(clock.Elapsed < s_timeout,
                $"no samples before and after the free that show it within {s_timeout} (before {before}, after {after}):\n{tool.Stdout}\n{tool.Stderr}");
            await Task.Delay(200);
        }
    }

    private static (Figures? Before, Figures? After) BeforeAndAfter(string stdout)
    {
        Figures? before = null, after = null;
        bool listening = false, freeing = false;
        foreach (string line in stdout.Split('\n'))
        {
            if (line.StartsWith("listening ", StringComparison.Ordinal))
            {
                listening = true; // printed once the 128 MiB are allocated and touched
            }
            else if (line == "freeing")
            {
                // Printed before the free starts: a sample written before it was read before any page went back
                // (with MADV_DONTNEED, RSS falls during the free, before "freed" is printed).
                freeing = true;
            }
            else if (line.StartsWith('{') && listening)
            {
                var m = JsonDocument.Parse(line).RootElement.GetProperty("metrics");
                if (!m.TryGetProperty("go.memstats.heap_released", out var released) || !m.TryGetProperty("process.memory.lazyfree", out var lazy)
                    || !m.TryGetProperty("go.scavenger.released", out var traceReleased))
                {
                    continue;
                }

                var f = new Figures(m.GetProperty("process.memory.rss").GetDouble(), lazy.GetDouble(), released.GetDouble(), traceReleased.GetDouble());
                if (freeing)
                {
                    after = f;
                }
                else
                {
                    before = f;
                }
            }
        }

        return (before, after);
    }

    private static bool Within1Percent(double expected, double actual) =>
        expected == actual || Math.Abs(actual - expected) <= 0.01 * Math.Abs(expected);

    private static string Mib(double bytes) => $"{bytes / (1 << 20):0.#} MiB";

    private static string FreeLoopbackAddress()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return $"127.0.0.1:{((IPEndPoint)probe.LocalEndpoint).Port}";
    }
}
