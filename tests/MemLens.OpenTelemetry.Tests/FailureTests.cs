using System.Diagnostics;
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
    public void Dispose_is_bounded_when_the_collector_accepts_and_never_answers()
    {
        // A collector that takes connections and says nothing: the push waits for its own 30 s timeout, Dispose does not.
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var held = new List<Socket>();
        _ = Task.Run(async () =>
        {
            while (true)
            {
                try
                {
                    held.Add(await silent.AcceptSocketAsync());
                }
                catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
                {
                    return;
                }
            }
        });
        var options = Pushes.Options(new Uri($"http://127.0.0.1:{((IPEndPoint)silent.LocalEndpoint).Port}"));
        options.Timeout = TimeSpan.FromSeconds(30);
        var exporter = MemLensOtlpExporter.Start(Pushes.Store([MetricCatalog.ProcessRss]), new ExportedProcess(6004, "api", "dotnet"), options);
        Thread.Sleep(1500);   // the first periodic push is under way and hanging

        var watch = Stopwatch.StartNew();
        exporter.Dispose();
        watch.Stop();

        Assert.InRange(watch.Elapsed, TimeSpan.Zero, MemLensOtlpExporter.FinalFlushTimeout + TimeSpan.FromSeconds(2));
        Assert.Equal(0, exporter.Exports);
        silent.Stop();
        held.ForEach(s => s.Dispose());
    }
}
