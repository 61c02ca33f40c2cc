using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using MemLens.Events;
using MemLens.Go;
using MemLens.Metrics;
using MemLens.Tests.Support;
using Xunit;

namespace MemLens.Tests.Go;

/// <summary>
/// The poller against a scripted HTTP server serving the Go 1.19 fixtures: fallback, bounds, failures and recovery.
/// The live comparison with a real Go program is in MemLens.EndToEnd.Tests (GoMemStatsLiveTests).
/// </summary>
public class GoMemStatsSourceTests
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(15);

    private static byte[] Fixture(string name) => File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Fixtures", "go", name));

    private static byte[] Heap => Fixture("go1.19.pprof-heap-debug1.txt");

    private static byte[] Vars => Fixture("go1.19.debug-vars.json");

    private static GoMemStatsSource Create(TinyHttpServer server, string path = "")
    {
        Assert.True(GoMemStatsEndpoint.TryCreate(server.BaseUrl + path, allowRemote: false, out Uri? endpoint, out string? error), error);
        return new GoMemStatsSource(endpoint);
    }

    private static async Task WaitForPolls(GoMemStatsSource source, long polls)
    {
        var clock = Stopwatch.StartNew();
        while (source.Polls < polls)
        {
            Assert.True(clock.Elapsed < s_wait, $"only {source.Polls} polls after {s_wait}");
            await Task.Delay(10);
        }
    }

    [Fact]
    public async Task Heap_profile_figures_are_written_once_per_poll()
    {
        await using var server = new TinyHttpServer(target => target == "/debug/pprof/heap?debug=1" ? TinyHttpServer.Ok(Heap) : TinyHttpServer.NotFound);
        using var source = Create(server);
        await source.FirstPoll.WaitAsync(s_wait);
        Assert.Equal(new Uri(server.BaseUrl + "/debug/pprof/heap?debug=1"), source.ResolvedUrl);
        var writer = new RecordingWriter();
        source.Sample(writer); // writes poll 1, starts poll 2
        Assert.Equal(10, writer.Values.Count);
        Assert.Equal(67_409_264, writer.Values[MetricCatalog.GoHeapAlloc]);
        Assert.Equal(294_912, writer.Values[MetricCatalog.GoStackInuse]);
        Assert.False(writer.Values.ContainsKey(MetricCatalog.GoPauseTotal));
        Assert.Equal(67_409_264, source.Latest!.HeapAlloc);

        await WaitForPolls(source, 2);
        server.Respond = _ => TinyHttpServer.Ok(Heap) with { Delay = TimeSpan.FromSeconds(10) }; // times out after 2 s
        writer.Clear();
        source.Sample(writer); // writes poll 2, starts poll 3 (held back by the server)
        Assert.Equal(10, writer.Values.Count);
        writer.Clear();
        source.Sample(writer); // poll 3 still running: nothing new, nothing written, no error
        Assert.Empty(writer.Values);
        var clock = Stopwatch.StartNew();
        while (server.Requests.Count < 3 && clock.Elapsed < s_wait)
        {
            await Task.Delay(10);
        }

        Assert.Equal(["/debug/pprof/heap?debug=1", "/debug/pprof/heap?debug=1", "/debug/pprof/heap?debug=1"], server.Requests);
    }

    [Fact]
    public async Task The_interval_is_short_until_the_first_poll_ends()
    {
        await using var server = new TinyHttpServer(_ => TinyHttpServer.Ok(Heap) with { Delay = TimeSpan.FromMilliseconds(500) });
        using var source = Create(server);
        Assert.Equal("go.memstats", source.Name);
        Assert.Equal(TimeSpan.FromMilliseconds(100), source.Interval); // the first poll is held back by the server
        var writer = new RecordingWriter();
        source.Sample(writer); // nothing yet, no error
        Assert.Empty(writer.Values);
        await source.FirstPoll.WaitAsync(s_wait);
        Assert.Equal(TimeSpan.FromSeconds(1), source.Interval);
        source.Sample(writer);
        Assert.Equal(10, writer.Values.Count);
    }

    [Fact]
    public async Task Without_pprof_the_poller_falls_back_to_expvar_and_remembers_it()
    {
        await using var server = new TinyHttpServer(target => target == "/debug/vars" ? TinyHttpServer.Ok(Vars) : TinyHttpServer.NotFound);
        using var source = Create(server);
        await source.FirstPoll.WaitAsync(s_wait);
        var writer = new RecordingWriter();
        source.Sample(writer);
        Assert.Equal(11, writer.Values.Count);
        Assert.Equal(0.000203, writer.Values[MetricCatalog.GoPauseTotal], 12);
        Assert.Equal(new Uri(server.BaseUrl + "/debug/vars"), source.ResolvedUrl);

        await WaitForPolls(source, 2);
        Assert.Equal(["/debug/pprof/heap?debug=1", "/debug/vars", "/debug/vars"], server.Requests);
    }

    [Fact]
    public async Task A_heap_answer_without_memstats_also_moves_on_to_expvar()
    {
        await using var server = new TinyHttpServer(target => TinyHttpServer.Ok(target == "/debug/vars" ? Vars : "<html>a dashboard</html>"u8.ToArray()));
        using var source = Create(server);
        await source.FirstPoll.WaitAsync(s_wait);
        source.Sample(new RecordingWriter());
        Assert.Equal(new Uri(server.BaseUrl + "/debug/vars"), source.ResolvedUrl);
    }

    [Fact]
    public async Task Not_found_on_both_paths_is_one_line_naming_both()
    {
        await using var server = new TinyHttpServer(_ => TinyHttpServer.NotFound);
        using var source = Create(server);
        await source.FirstPoll.WaitAsync(s_wait);
        var writer = new RecordingWriter();
        var ex = Assert.Throws<InvalidOperationException>(() => source.Sample(writer));
        Assert.Equal($"GET {server.BaseUrl}/debug/pprof/heap?debug=1: 404 Not Found, and /debug/vars: 404 Not Found", ex.Message);
        Assert.Empty(writer.Values);
        Assert.Null(source.ResolvedUrl);
        Assert.Null(source.Latest);
    }

    [Fact]
    public async Task A_server_error_is_reported_as_it_is_without_trying_expvar()
    {
        await using var server = new TinyHttpServer(_ => new TinyHttpServer.Response(500, "Internal Server Error", []));
        using var source = Create(server);
        await source.FirstPoll.WaitAsync(s_wait);
        var ex = Assert.Throws<InvalidOperationException>(() => source.Sample(new RecordingWriter()));
        Assert.Equal($"GET {server.BaseUrl}/debug/pprof/heap?debug=1: 500 Internal Server Error", ex.Message);
        Assert.Equal(["/debug/pprof/heap?debug=1"], server.Requests);
    }

    [Fact]
    public async Task A_fixed_expvar_url_is_the_only_one_asked()
    {
        await using var server = new TinyHttpServer(_ => TinyHttpServer.NotFound);
        using var source = Create(server, "/debug/vars");
        await source.FirstPoll.WaitAsync(s_wait);
        var ex = Assert.Throws<InvalidOperationException>(() => source.Sample(new RecordingWriter()));
        Assert.Equal($"GET {server.BaseUrl}/debug/vars: 404 Not Found", ex.Message);
        Assert.Equal(["/debug/vars"], server.Requests);
    }

    [Fact]
    public async Task A_heap_profile_beyond_the_size_limit_loses_its_section_and_expvar_is_asked()
    {
        // 5 MiB of profile records before the MemStats section: only the first 4 MiB are read.
        var big = new StringBuilder("heap profile: 1: 2 [3: 4] @ heap/1048576\n");
        while (big.Length < 5 << 20)
        {
            big.Append("1: 65536 [1: 65536] @ 0x684591 0x43af92 0x46b2e1\n#\t0x684590\tmain.main+0x1b0\t/src/main.go:73\n\n");
        }

        byte[] profile = [.. Encoding.UTF8.GetBytes(big.ToString()), .. Heap];
        await using var server = new TinyHttpServer(target => target == "/debug/vars" ? TinyHttpServer.NotFound : TinyHttpServer.Ok(profile));
        using var source = Create(server);
        await source.FirstPoll.WaitAsync(s_wait);
        var ex = Assert.Throws<InvalidOperationException>(() => source.Sample(new RecordingWriter()));
        Assert.Equal($"GET {server.BaseUrl}/debug/pprof/heap?debug=1: no runtime.MemStats in the first 4 MiB of the heap profile " +
                     "(the section is at its end), and /debug/vars: 404 Not Found", ex.Message);

        server.Respond = target => TinyHttpServer.Ok(target == "/debug/vars" ? Vars : profile);
        await WaitForPolls(source, 2);
        var writer = new RecordingWriter();
        source.Sample(writer);
        Assert.Equal(11, writer.Values.Count);
    }

    [Fact]
    public void A_response_cut_inside_the_section_drops_the_split_line()
    {
        byte[] heap = Heap;
        string text = Encoding.UTF8.GetString(heap);
        int cut = text.IndexOf("# NextGC = 79370088", StringComparison.Ordinal) + "# NextGC = 7937".Length;
        var url = new Uri("http://127.0.0.1:6060/debug/pprof/heap?debug=1");
        Assert.True(GoMemStatsSource.TryParseResponse(url, heap.AsSpan(0, cut), cut: true, out GoMemStats? stats, out _, out _));
        Assert.Null(stats!.NextGC); // "# NextGC = 7937" would be wrong, not partial
        Assert.Null(stats.NumGC);
        Assert.Equal(294_912, stats.StackInuse);

        Assert.True(GoMemStatsSource.TryParseResponse(url, heap.AsSpan(0, cut), cut: false, out stats, out _, out _));
        Assert.Equal(7937, stats!.NextGC); // a whole body is taken as Go wrote it
    }

    [Fact]
    public void An_expvar_body_cut_after_memstats_is_enough()
    {
        byte[] vars = Vars;
        int end = Encoding.UTF8.GetString(vars).IndexOf("}]}", StringComparison.Ordinal) + 3;
        byte[] longer = [.. vars.AsSpan(0, end), .. ",\n\"big\": [1, 2, 3"u8];
        var url = new Uri("http://127.0.0.1:6060/debug/vars");
        Assert.True(GoMemStatsSource.TryParseResponse(url, longer, cut: true, out GoMemStats? stats, out string? error, out _), error);
        Assert.Equal(11, stats!.Count);
        Assert.False(GoMemStatsSource.TryParseResponse(url, longer, cut: false, out _, out error, out _));
        Assert.StartsWith("malformed JSON", error, StringComparison.Ordinal);
        Assert.False(GoMemStatsSource.TryParseResponse(url, vars.AsSpan(0, end - 1), cut: true, out _, out error, out _));
        Assert.Equal("the response was cut before the end of expvar's memstats object (response cut at 4 MiB)", error);
    }

    [Fact]
    public async Task After_a_failure_values_flow_again()
    {
        await using var server = new TinyHttpServer(_ => new TinyHttpServer.Response(503, "Service Unavailable", []));
        using var source = Create(server);
        await source.FirstPoll.WaitAsync(s_wait);
        server.Respond = _ => TinyHttpServer.Ok(Heap);
        var writer = new RecordingWriter();
        var ex = Assert.Throws<InvalidOperationException>(() => source.Sample(writer)); // starts poll 2
        Assert.EndsWith(": 503 Service Unavailable", ex.Message, StringComparison.Ordinal);
        await WaitForPolls(source, 2);
        source.Sample(writer);
        Assert.Equal(10, writer.Values.Count);
    }

    [Fact]
    public async Task After_the_start_up_grace_a_closed_port_is_connection_refused()
    {
        int port = FreePort();
        Assert.True(GoMemStatsEndpoint.TryCreate($"http://127.0.0.1:{port}", false, out Uri? endpoint, out _));
        using var source = new GoMemStatsSource(endpoint, startupGrace: TimeSpan.Zero);
        await source.FirstPoll.WaitAsync(s_wait);
        var ex = Assert.Throws<InvalidOperationException>(() => source.Sample(new RecordingWriter()));
        Assert.Equal($"GET http://127.0.0.1:{port}/debug/pprof/heap?debug=1: connection refused", ex.Message);
        Assert.False(source.IsWaitingForEndpoint);
    }

    /// <summary>
    /// `memlens run --go-pprof URL -- ./server` starts polling before the server listens: refused connections during
    /// the start-up grace are "waiting for the endpoint" (said once as a note, polled at the normal interval, no error
    /// for the sampler to back off from); the first answer ends the wait, and a refusal after it is a failure again.
    /// </summary>
    [Fact]
    public async Task A_program_that_listens_late_is_waited_for_and_its_first_answer_is_written()
    {
        int port = FreePort();
        Assert.True(GoMemStatsEndpoint.TryCreate($"http://127.0.0.1:{port}", false, out Uri? endpoint, out _));
        var interval = TimeSpan.FromMilliseconds(200);
        using var source = new GoMemStatsSource(endpoint, interval);
        var writer = new RecordingWriter();
        for (int poll = 1; poll <= 3; poll++)
        {
            await WaitForPolls(source, poll);
            source.Sample(writer); // refused: no exception, nothing written, the next poll started
            Assert.True(source.IsWaitingForEndpoint);
            Assert.Equal(interval, source.Interval);
        }

        Assert.Empty(writer.Values);
        var note = Assert.IsType<NoteEvent>(Assert.Single(writer.Events));
        Assert.Equal("source.note", note.Type);
        Assert.Equal($"go.memstats: waiting for http://127.0.0.1:{port}/debug/pprof/heap?debug=1 to answer (connection refused: the program may still be starting)", note.Message);

        await using (var server = new TinyHttpServer(_ => TinyHttpServer.Ok(Heap), port))
        {
            var clock = Stopwatch.StartNew();
            while (true)
            {
                // Sample writes the last poll's figures and starts the next poll unless one runs: either way one more ends.
                long polls = source.Polls;
                source.Sample(writer);
                if (writer.Values.Count > 0)
                {
                    break;
                }

                Assert.True(clock.Elapsed < s_wait, $"no figures {s_wait} after the program started listening ({source.Polls} polls)");
                await WaitForPolls(source, polls + 1);
            }

            Assert.Equal(67_409_264, writer.Values[MetricCatalog.GoHeapAlloc]);
            Assert.False(source.IsWaitingForEndpoint);
            Assert.Single(writer.Events); // said once
        }

        // It answered once: a refusal now is the program gone, reported as a failure.
        var failed = Stopwatch.StartNew();
        while (true)
        {
            Assert.True(failed.Elapsed < s_wait, "a refusal after the first answer was never reported");
            long polls = source.Polls;
            try
            {
                source.Sample(writer);
            }
            catch (InvalidOperationException ex) when (ex.Message.EndsWith(": connection refused", StringComparison.Ordinal))
            {
                Assert.False(source.IsWaitingForEndpoint);
                break;
            }
            catch (InvalidOperationException ex) when (ex.Message.EndsWith(": connection reset by the program", StringComparison.Ordinal))
            {
                // The request in flight when the server stopped: a failure too; the next one is refused.
            }

            await WaitForPolls(source, polls + 1);
        }
    }

    private static int FreePort()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        int port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return port;
    }

    [Fact]
    public async Task A_program_that_does_not_answer_times_out()
    {
        await using var server = new TinyHttpServer(_ => TinyHttpServer.Ok(Heap) with { Delay = TimeSpan.FromSeconds(10) });
        using var source = Create(server);
        await source.FirstPoll.WaitAsync(s_wait);
        var ex = Assert.Throws<InvalidOperationException>(() => source.Sample(new RecordingWriter()));
        Assert.Equal($"GET {server.BaseUrl}/debug/pprof/heap?debug=1: no answer within 2 s", ex.Message);
    }

    [Fact]
    public async Task Dispose_cancels_the_running_request()
    {
        await using var server = new TinyHttpServer(_ => TinyHttpServer.Ok(Heap) with { Delay = TimeSpan.FromSeconds(10) });
        var source = Create(server);
        var clock = Stopwatch.StartNew();
        while (server.Requests.Count == 0)
        {
            Assert.True(clock.Elapsed < s_wait);
            await Task.Delay(10);
        }

        source.Dispose();
        // Dispose waits up to 2 s for the poller; on a loaded machine its last step may come just after.
        await source.FirstPoll.WaitAsync(s_wait);
        Assert.Equal(0, source.Polls); // cancelled, not timed out: no result recorded
        source.Sample(new RecordingWriter()); // nothing to write, nothing started
        Assert.Single(server.Requests);
    }
}
