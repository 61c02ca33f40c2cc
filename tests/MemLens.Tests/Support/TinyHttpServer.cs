using System.Net;
using System.Net.Sockets;
using System.Text;

namespace MemLens.Tests.Support;

/// <summary>
/// A scripted HTTP/1.1 server on a free loopback port, for tests of HTTP clients: each request gets the answer of
/// <see cref="Respond"/> (status, reason, body) and the connection is closed. Only GET request lines are read.
/// </summary>
internal sealed class TinyHttpServer : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accept;
    private readonly List<string> _requests = [];

    /// <summary>Listens on <paramref name="port"/> (0: a free one), e.g. a port a client was already told about.</summary>
    public TinyHttpServer(Func<string, Response> respond, int port = 0)
    {
        Respond = respond;
        _listener = new TcpListener(IPAddress.Loopback, port);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _accept = Task.Run(AcceptAsync);
    }

    /// <summary>Answers a request, given its path and query (e.g. <c>/debug/pprof/heap?debug=1</c>).</summary>
    public Func<string, Response> Respond { get; set; }

    public int Port { get; }

    public string BaseUrl => $"http://127.0.0.1:{Port}";

    /// <summary>The paths and queries asked so far, in order.</summary>
    public IReadOnlyList<string> Requests
    {
        get
        {
            lock (_requests)
            {
                return [.. _requests];
            }
        }
    }

    /// <summary>A 404 like Go's ServeMux gives for an unknown path.</summary>
    public static Response NotFound { get; } = new(404, "Not Found", "404 page not found\n"u8.ToArray());

    public static Response Ok(string body) => new(200, "OK", Encoding.UTF8.GetBytes(body));

    public static Response Ok(byte[] body) => new(200, "OK", body);

    private async Task AcceptAsync()
    {
        try
        {
            while (true)
            {
                TcpClient client = await _listener.AcceptTcpClientAsync(_stop.Token);
                _ = Task.Run(() => ServeAsync(client));
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException or InvalidOperationException)
        {
            // stopped, possibly before the first accept began ("Not listening")
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                NetworkStream stream = client.GetStream();
                string head = await ReadHeadAsync(stream);
                string target = head.Split(' ') is [_, var t, ..] ? t : "/";
                lock (_requests)
                {
                    _requests.Add(target);
                }

                Response response = Respond(target);
                if (response.Delay > TimeSpan.Zero)
                {
                    await Task.Delay(response.Delay, _stop.Token);
                }

                string header = $"HTTP/1.1 {response.Status} {response.Reason}\r\nContent-Length: {response.Body.Length}\r\n" +
                                "Content-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n";
                await stream.WriteAsync(Encoding.ASCII.GetBytes(header), _stop.Token);
                await stream.WriteAsync(response.Body, _stop.Token);
            }
            catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
            {
                // the client gave up (timeout) or the server is stopping
            }
        }
    }

    private static async Task<string> ReadHeadAsync(NetworkStream stream)
    {
        var head = new List<byte>();
        var one = new byte[1];
        while (head.Count < 16 << 10 && await stream.ReadAsync(one) == 1)
        {
            head.Add(one[0]);
            if (head.Count >= 4 && head[^4] == '\r' && head[^3] == '\n' && head[^2] == '\r' && head[^1] == '\n')
            {
                break;
            }
        }

        return Encoding.ASCII.GetString([.. head]);
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        await _accept;
        _stop.Dispose();
    }

    /// <summary>One scripted answer; <paramref name="Delay"/> holds it back (to provoke a client's timeout).</summary>
    public sealed record Response(int Status, string Reason, byte[] Body, TimeSpan Delay = default);
}
