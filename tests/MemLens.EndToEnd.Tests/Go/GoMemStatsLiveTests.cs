using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using MemLens.Events;
using MemLens.Go;
using MemLens.Metrics;
using MemLens.Sampling;
using MemLens.Storage;
using MemLens.Tests.Support;
using Xunit;

namespace MemLens.EndToEnd.Tests.Go;

/// <summary>
/// runtime.MemStats polled from a real Go program (samples/go/memstats, built with the real toolchain) through the
/// sampler into the store, against the figures the program read itself with runtime.ReadMemStats for the same
/// request and printed before answering it.
/// </summary>
public sealed class GoMemStatsLiveTests
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(20);

    // The program's field for each metric; PauseTotalNs is in seconds in the store.
    private static readonly (MetricDescriptor Metric, string Field, double Scale)[] s_fields =
    [
        (MetricCatalog.GoSys, "Sys", 1),
        (MetricCatalog.GoHeapSys, "HeapSys", 1),
        (MetricCatalog.GoHeapAlloc, "HeapAlloc", 1),
        (MetricCatalog.GoHeapInuse, "HeapInuse", 1),
        (MetricCatalog.GoHeapIdle, "HeapIdle", 1),
        (MetricCatalog.GoHeapReleased, "HeapReleased", 1),
        (MetricCatalog.GoStackInuse, "StackInuse", 1),
        (MetricCatalog.GoNextGc, "NextGC", 1),
        (MetricCatalog.GoNumGc, "NumGC", 1),
        (MetricCatalog.GoPauseTotal, "PauseTotalNs", 1e-9),
        (MetricCatalog.GoGcCpuFraction, "GCCPUFraction", 1),
    ];

    [Fact]
    public Task Heap_profile_figures_equal_the_programs_own_for_the_same_request() =>
        CompareWithProgramAsync("", "/debug/pprof/heap?debug=1", expectPauseTotal: false);

    [Fact]
    public Task Expvar_figures_equal_the_programs_own_for_the_same_request() =>
        CompareWithProgramAsync("/debug/vars", "/debug/vars", expectPauseTotal: true);

    private static async Task CompareWithProgramAsync(string path, string resolvedPath, bool expectPauseTotal)
    {
        await using var go = await MemStatsProgram.StartAsync("-alloc", "64");
        Assert.True(GoMemStatsEndpoint.TryCreate(go.Url + path, allowRemote: false, out Uri? endpoint, out string? error), error);
        var store = new MetricStore();
        var source = new GoMemStatsSource(endpoint);
        using var sampler = new Sampler(store, [source]);
        await source.FirstPoll.WaitAsync(s_wait);
        Assert.Equal(new Uri(go.Url + resolvedPath), source.ResolvedUrl);

        // Each SampleNow writes the poll that finished before it and starts the next: request n is written by round n.
        for (int request = 1; request <= 3; request++)
        {
            await WaitForPollsAsync(source, request);
            JsonElement own = await go.MemStatsOfRequestAsync(request);
            SampleBatch batch = sampler.SampleNow();
            SourceStatus status = sampler.Statuses.Single();
            Assert.True(status.State == SourceState.Ok, status.LastError);

            foreach (var (metric, field, scale) in s_fields)
            {
                bool written = batch.TryGetValue(metric, out double value);
                if (metric == MetricCatalog.GoPauseTotal && !expectPauseTotal)
                {
                    Assert.False(written, "the heap profile carries no PauseTotalNs: nothing may be written");
                    continue;
                }

                Assert.True(written, $"{metric.Name} not written in round {request}");
                double expected = own.GetProperty(field).GetDouble() * scale;
                Assert.True(Math.Abs(value - expected) <= Math.Abs(expected) * 0.01,
                    $"{metric.Name} (request {request}): memlens {value}, the program's own {field} {expected}");
                Assert.True(store.TryGetLatest(metric, out _, out double stored) && stored == value, $"{metric.Name} not in the store");
            }
        }

        Assert.True(go.MemStatsLines().Length >= 3);
        Assert.InRange(Latest(store, MetricCatalog.GoHeapAlloc), 64 << 20, 72 << 20); // -alloc 64 and little else
    }

    [Fact]
    public async Task Freed_memory_shows_in_the_store_while_the_sampler_runs_on_its_own()
    {
        await using var go = await MemStatsProgram.StartAsync("-alloc", "64", "-free-after", "3s");
        Assert.True(GoMemStatsEndpoint.TryCreate(go.Url, allowRemote: false, out Uri? endpoint, out _));
        var store = new MetricStore();
        using var sampler = new Sampler(store, [new GoMemStatsSource(endpoint, TimeSpan.FromMilliseconds(200))]);
        sampler.Start();

        await WaitForAsync(() => Latest(store, MetricCatalog.GoHeapAlloc) >= 64 << 20, "HeapAlloc ≥ 64 MiB before the free");
        double gcsBefore = Latest(store, MetricCatalog.GoNumGc);
        await go.WaitForLineAsync(l => l == "freed");
        await WaitForAsync(() => Latest(store, MetricCatalog.GoHeapAlloc) < 8 << 20, "HeapAlloc < 8 MiB after the free");
        await WaitForAsync(() => Latest(store, MetricCatalog.GoHeapReleased) >= 60 << 20, "HeapReleased ≥ 60 MiB after FreeOSMemory");
        Assert.True(Latest(store, MetricCatalog.GoNumGc) >= gcsBefore + 2, "runtime.GC and FreeOSMemory each run a GC");
        Assert.Equal(SourceState.Ok, sampler.Statuses.Single().State);
    }

    [Fact]
    public async Task After_the_start_up_grace_a_closed_port_is_one_line_in_the_source_status_and_no_values()
    {
        int port = ClosedPort();
        var (status, store) = await SampleOnceAsync($"http://127.0.0.1:{port}", startupGrace: TimeSpan.Zero);
        Assert.Equal(SourceState.Failing, status.State);
        Assert.Equal($"GET http://127.0.0.1:{port}/debug/pprof/heap?debug=1: connection refused", status.LastError);
        AssertNoGoValues(store);
        var note = Assert.IsType<NoteEvent>(Assert.Single(store.GetEvents(0, long.MaxValue)));
        Assert.Equal("source.error", note.Type);
        Assert.Equal("go.memstats: " + status.LastError, note.Message);
    }

    [Fact]
    public async Task Within_the_start_up_grace_a_closed_port_is_a_note_that_it_waits_and_the_source_is_not_failing()
    {
        int port = ClosedPort();
        var (status, store) = await SampleOnceAsync($"http://127.0.0.1:{port}");
        Assert.Equal(SourceState.Ok, status.State);
        Assert.Null(status.LastError);
        AssertNoGoValues(store);
        var note = Assert.IsType<NoteEvent>(Assert.Single(store.GetEvents(0, long.MaxValue)));
        Assert.Equal("source.note", note.Type);
        Assert.Equal($"go.memstats: waiting for http://127.0.0.1:{port}/debug/pprof/heap?debug=1 to answer (connection refused: the program may still be starting)", note.Message);
    }

    [Fact]
    public async Task A_server_without_pprof_or_expvar_is_one_line_naming_both_paths()
    {
        await using var server = new TinyHttpServer(_ => TinyHttpServer.NotFound);
        var (status, store) = await SampleOnceAsync(server.BaseUrl);
        Assert.Equal(SourceState.Failing, status.State);
        Assert.Equal($"GET {server.BaseUrl}/debug/pprof/heap?debug=1: 404 Not Found, and /debug/vars: 404 Not Found", status.LastError);
        Assert.DoesNotContain('\n', status.LastError!);
        AssertNoGoValues(store);
    }

    private static int ClosedPort()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        int port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return port;
    }

    private static async Task<(SourceStatus Status, MetricStore Store)> SampleOnceAsync(string url, TimeSpan? startupGrace = null)
    {
        Assert.True(GoMemStatsEndpoint.TryCreate(url, allowRemote: false, out Uri? endpoint, out string? error), error);
        var store = new MetricStore();
        var source = new GoMemStatsSource(endpoint, startupGrace: startupGrace);
        using var sampler = new Sampler(store, [source]);
        await source.FirstPoll.WaitAsync(s_wait);
        SampleBatch batch = sampler.SampleNow();
        Assert.DoesNotContain(s_fields, f => batch.TryGetValue(f.Metric, out _));
        return (sampler.Statuses.Single(), store);
    }

    private static void AssertNoGoValues(MetricStore store) =>
        Assert.DoesNotContain(store.Metrics, m => m.Name.StartsWith("go.memstats.", StringComparison.Ordinal));

    private static double Latest(MetricStore store, MetricDescriptor metric) =>
        store.TryGetLatest(metric, out _, out double value) ? value : double.NaN;

    private static async Task WaitForPollsAsync(GoMemStatsSource source, long polls) =>
        await WaitForAsync(() => source.Polls >= polls, $"{polls} polls");

    private static async Task WaitForAsync(Func<bool> condition, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(clock.Elapsed < s_wait, $"no {what} within {s_wait.TotalSeconds} s");
            await Task.Delay(20);
        }
    }
}
