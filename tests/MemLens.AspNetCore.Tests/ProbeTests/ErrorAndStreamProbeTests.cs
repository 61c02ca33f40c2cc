using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Xunit;

namespace MemLens.AspNetCore.Tests.ProbeTests;

/// <summary>Errors say one line without exception types or stacks; live-stream clients that never read do not lock others out.</summary>
public class ErrorAndStreamProbeTests
{
    [Fact]
    public async Task An_action_that_throws_answers_one_line_without_its_exception_type_or_message()
    {
        var actions = new ScriptedTargetActions { Collect = _ => throw new InvalidOperationException("secret detail from /home/ops/app.dll") };
        using var monitor = ProbeServers.ActingMonitor(actions);
        await using var server = MemLensServer.Start(monitor, new MemLensServerOptions());
        using var http = new HttpClient { BaseAddress = server.Url };
        using var response = await http.PostAsync("api/actions/gc", null);
        Assert.True((int)response.StatusCode >= 500, ((int)response.StatusCode).ToString(CultureInfo.InvariantCulture));
        string error = await ProbeServers.OneLineErrorAsync(response);
        Assert.DoesNotContain("InvalidOperation", error, StringComparison.Ordinal);
        Assert.DoesNotContain("secret detail", error, StringComparison.Ordinal);
    }

    /// <summary>
    /// 40 real sockets ask for the live stream and never read a byte; with 32 stream slots, a new client is still
    /// served within a few seconds (the server evicts the stuck ones), where before it got 503 for minutes.
    /// </summary>
    [Fact]
    public async Task Forty_stream_clients_that_never_read_do_not_lock_out_a_new_one()
    {
        using var monitor = ProbeServers.ActingMonitor(new ScriptedTargetActions(), new MemLensOptions { SampleInterval = TimeSpan.FromMilliseconds(100) });
        monitor.Start();
        await using var server = MemLensServer.Start(monitor, new MemLensServerOptions());
        var sockets = new List<TcpClient>();
        try
        {
            byte[] ask = Encoding.ASCII.GetBytes($"GET /api/stream HTTP/1.1\r\nHost: 127.0.0.1:{server.Url.Port}\r\nAccept: text/event-stream\r\n\r\n");
            for (int i = 0; i < 40; i++)
            {
                var socket = new TcpClient();
                socket.ReceiveBufferSize = 4096;
                await socket.ConnectAsync(IPAddress.Loopback, server.Url.Port);
                await socket.GetStream().WriteAsync(ask);
                sockets.Add(socket);
            }

            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            while (monitor.Hub.ClientCount < monitor.Options.MaxStreamClients)
            {
                await Task.Delay(20, deadline.Token);
            }

            using var http = new HttpClient { BaseAddress = server.Url };
            var waited = Stopwatch.StartNew();
            HttpStatusCode status;
            using var served = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            while (true)
            {
                using var response = await http.GetAsync("api/stream", HttpCompletionOption.ResponseHeadersRead, served.Token);
                status = response.StatusCode;
                if (status == HttpStatusCode.OK)
                {
                    break;
                }

                Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
                await Task.Delay(100, served.Token);
            }

            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(10), $"served after {waited.Elapsed.TotalSeconds:0.0} s");
        }
        finally
        {
            foreach (var s in sockets)
            {
                s.Dispose();
            }
        }
    }
}
