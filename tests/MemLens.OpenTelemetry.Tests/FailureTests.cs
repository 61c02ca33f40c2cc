using System.Net;
using System.Net.Sockets;
using MemLens.Exporting;
using MemLens.Metrics;
using MemLens.Tests.Shared.Otlp;
using Xunit;

namespace MemLens.OpenTelemetry.Tests;

/// <summary>A collector that is down, refuses, or hangs: counted and said once, never thrown.</summary>
public class FailureTests
{
    [Fact]
    public async Task A_collector_that_is_down_is_one_Failed_per_outage_and_Recovered_when_it_comes_back()
    {
        int port = Pushes.FreePort();
        var failed = new List<string>();
        int recovered = 0;
        var process = new ExportedProcess(6001, "api", "dotnet");
        var options = Pushes.Options(new Uri($"http://127.0.0.1:{port}"));
        options.Timeout = TimeSpan.FromSeconds(2);

        using var exporter = MemLensOtlpExporter.Start(Pushes.Store([MetricCatalog.ProcessRss]), process, options);
        exporter.Failed += message => { lock (failed) { failed.Add(message); } };
        exporter.Recovered += () => Interlocked.Increment(ref recovered);

        Assert.False(exporter.ForceFlush(Pushes.Wait));
        Assert.False(exporter.ForceFlush(Pushes.Wait));
        Assert.False(exporter.ForceFlush(Pushes.Wait));
        Assert.True(exporter.Failures >= 3, $"{exporter.Failures} failures");
        Assert.Equal(0, exporter.Exports);
        string message = Assert.Single(failed);
        Assert.Equal(exporter.LastError, message);
        Assert.StartsWith($"OTLP export to http://127.0.0.1:{port}/v1/metrics failed", message, StringComparison.Ordinal);
        Assert.Contains("refused", message, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain('\n', message);

        // The collector comes up on that port: the next push goes through and says so once.
        await using (var receiver = await OtlpReceiver.StartAsync(port))
        {
            Assert.True(exporter.ForceFlush(Pushes.Wait), exporter.LastError);
            Assert.True(exporter.ForceFlush(Pushes.Wait), exporter.LastError);
            await receiver.From(process);
            Assert.Equal(1, Volatile.Read(ref recovered));
            Assert.Null(exporter.LastError);
            Assert.True(exporter.Exports >= 2);
        }

        // It goes away again: a second outage, a second Failed.
        Assert.False(exporter.ForceFlush(Pushes.Wait));
        lock (failed)
        {
            Assert.Equal(2, failed.Count);
        }
    }

    [Fact]
    public async Task A_collector_answering_an_error_status_is_a_failure_that_names_it()
    {
        await using var receiver = await OtlpReceiver.StartAsync();
        receiver.StatusCode = 503;
        string? failed = null;
        using var exporter = MemLensOtlpExporter.Start(
            Pushes.Store([MetricCatalog.ProcessRss]), new ExportedProcess(6002, "api", "dotnet"), Pushes.Options(receiver.Endpoint));
        exporter.Failed += message => failed = message;

        Assert.False(exporter.ForceFlush(Pushes.Wait));

        Assert.Equal(1, exporter.Failures);
        Assert.NotNull(failed);
        Assert.Contains("503", failed, StringComparison.Ordinal);
    }

    [Fact]
    public void A_handler_that_throws_does_not_stop_the_exporter()
    {
        int port = Pushes.FreePort();
        using var exporter = MemLensOtlpExporter.Start(
            Pushes.Store([MetricCatalog.ProcessRss]), new ExportedProcess(6003, "api", "dotnet"), Pushes.Options(new Uri($"http://127.0.0.1:{port}")));
        exporter.Failed += _ => throw new InvalidOperationException("handler bug");

        Assert.False(exporter.ForceFlush(Pushes.Wait));
        Assert.False(exporter.ForceFlush(Pushes.Wait));
        Assert.True(exporter.Failures >= 2);
    }

    [Fact]
    public async Task Dispose_is_bounded_when_the_collector_accepts_and_never_answers()
    {
        // A collector that takes connections, reads the request and says nothing. The push's own timeout is the longest
        // allowed (2 minutes): Dispose returning long before it shows that Dispose does not wait for the push.
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var held = new List<Socket>();
        var requestArrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var closedByClient = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _ = Task.Run(async () =>
        {
            try
            {
                var socket = await silent.AcceptSocketAsync();
                lock (held)
                {
                    held.Add(socket);
                }

                var buffer = new byte[64 * 1024];
                int read = await socket.ReceiveAsync(buffer);
                requestArrived.TrySetResult();
                while (read > 0)
                {
                    read = await socket.ReceiveAsync(buffer);
                }

                closedByClient.TrySetResult();
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
                closedByClient.TrySetResult(); // reset by the client: closed too
            }
        });
        var options = Pushes.Options(new Uri($"http://127.0.0.1:{((IPEndPoint)silent.LocalEndpoint).Port}"));
        options.Timeout = OtlpExportOptions.MaximumTimeout;
        var exporter = MemLensOtlpExporter.Start(Pushes.Store([MetricCatalog.ProcessRss]), new ExportedProcess(6004, "api", "dotnet"), options);

        // The first periodic push is under way and hanging: its request has reached the collector.
        await requestArrived.Task.WaitAsync(TimeSpan.FromSeconds(30));

        // Far below the push's 2-minute timeout and far above FinalFlushTimeout (5 s): a limit for a test that would
        // otherwise hang, not a measurement.
        await Task.Run(exporter.Dispose).WaitAsync(TimeSpan.FromSeconds(60));

        // The hanging request was given up (its connection closed by the exporter), not left open behind Dispose.
        await closedByClient.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(0, exporter.Exports);
        silent.Stop();
        lock (held)
        {
            held.ForEach(s => s.Dispose());
        }
    }
}
