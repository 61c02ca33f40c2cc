using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using MemLens.Events;
using MemLens.Sampling;

namespace MemLens.Go;

/// <summary>
/// A Go program's <c>runtime.MemStats</c>, polled over HTTP from its <c>net/http/pprof</c> heap profile
/// (<c>/debug/pprof/heap?debug=1</c>) or its <c>expvar</c> JSON (<c>/debug/vars</c>): no code change in the program.
/// </summary>
/// <remarks>
/// <para>
/// The sampler's thread never waits for the network. Requests run on a background task, one at a time, and each
/// <see cref="Sample"/> starts the next one (unless one is still running), so the program is asked once per
/// sampling interval, and no more often when the sampler backs off a failing source. <see cref="Sample"/> writes
/// the figures of the poll that finished since the previous call, once: a poll's figures are never written twice,
/// so they lag by up to one interval and a poll slower than the interval leaves a gap rather than a repeated value.
/// </para>
/// <para>
/// Bounds: one request in flight, <see cref="RequestTimeout"/> per request, at most <see cref="MaxResponseBytes"/>
/// read from a response (a heap profile can be large: when the cut loses the runtime.MemStats section at its end,
/// expvar is asked instead), no redirects (they could leave loopback), no proxy.
/// </para>
/// <para>
/// When polling fails, <see cref="Sample"/> throws an exception whose message is one line, e.g.
/// <c>GET http://127.0.0.1:6060/debug/pprof/heap?debug=1: connection refused</c>; the sampler records it in the
/// source's status. Values flow again as soon as a poll succeeds.
/// </para>
/// <para>
/// A program that is still starting (<c>memlens run --go-pprof URL -- ./server</c> polls before the server listens)
/// is waited for: until it first answers, and for at most the start-up grace (<see cref="DefaultStartupGrace"/>), a
/// refused connection is not an error. <see cref="Sample"/> then writes nothing, says once (a <c>source.note</c>
/// event) that it is waiting, and the endpoint is polled again at the normal interval, not after a back-off
/// (<see cref="IsWaitingForEndpoint"/>). After the grace, or once the program has answered, a refusal is a failure.
/// </para>
/// </remarks>
public sealed class GoMemStatsSource : IMetricSource
{
    /// <summary>The most read from one response: 4 MiB.</summary>
    public const int MaxResponseBytes = 4 << 20;

    /// <summary>How long one request may take, connection included: 2 s.</summary>
    public static TimeSpan RequestTimeout { get; } = TimeSpan.FromSeconds(2);

    /// <summary>How long refused connections are taken for a program still starting, unless it answered before: 30 s.</summary>
    public static readonly TimeSpan DefaultStartupGrace = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan s_fastInterval = TimeSpan.FromMilliseconds(100);
    private static readonly byte[] s_sectionHeader = "# runtime.MemStats"u8.ToArray();

    private readonly object _lock = new();
    private readonly TimeSpan _interval;
    private readonly Uri[] _candidates;
    private readonly HttpClient _client;
    private readonly SemaphoreSlim _trigger = new(1, 1); // the first poll starts at once
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource _firstPoll = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Task _loop;
    private byte[] _buffer = new byte[64 << 10];
    private Uri? _resolved;
    private PollResult? _latest;
    private GoMemStats? _lastGood;
    private long _completed;
    private long _written;
    private bool _inFlight = true;
    private bool _disposed;
    private readonly long _graceEnds;   // Stopwatch timestamp
    private bool _answered;             // under _lock: a poll succeeded once
    private bool _waiting;              // under _lock
    private bool _waitingSaid;          // under _lock

    /// <summary>Starts polling <paramref name="endpoint"/> at once, in the background.</summary>
    /// <param name="endpoint">
    /// A URL from <see cref="GoMemStatsEndpoint.TryCreate"/> (which applies the loopback rule): a base under which
    /// the heap profile and then expvar are tried, or one of the two endpoints exactly.
    /// </param>
    /// <param name="interval">Sampling and polling interval. Default: 1 s.</param>
    /// <param name="startupGrace">
    /// How long a refused connection means "the program is still starting" rather than a failure, unless it answered
    /// before. Default: <see cref="DefaultStartupGrace"/>.
    /// </param>
    public GoMemStatsSource(Uri endpoint, TimeSpan? interval = null, TimeSpan? startupGrace = null)
    {
        if (startupGrace is { } g && g < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(startupGrace), startupGrace, "The start-up grace cannot be negative.");
        }

        _graceEnds = Stopwatch.GetTimestamp() + (long)((startupGrace ?? DefaultStartupGrace).TotalSeconds * Stopwatch.Frequency);
        ArgumentNullException.ThrowIfNull(endpoint);
        if (!endpoint.IsAbsoluteUri || (endpoint.Scheme != Uri.UriSchemeHttp && endpoint.Scheme != Uri.UriSchemeHttps))
        {
            throw new ArgumentException($"'{endpoint}' is not an absolute http:// or https:// URL.", nameof(endpoint));
        }

        if (interval is { } i && i <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(interval), interval, "The interval must be positive.");
        }

        Endpoint = endpoint;
        _interval = interval ?? TimeSpan.FromSeconds(1);
        _candidates = [.. GoMemStatsEndpoint.Candidates(endpoint)];
        _client = new HttpClient(new SocketsHttpHandler
        {
            UseProxy = false,
            AllowAutoRedirect = false,
            UseCookies = false,
            AutomaticDecompression = DecompressionMethods.None,
            ConnectTimeout = RequestTimeout,
            MaxResponseHeadersLength = 64, // KiB
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
        })
        {
            Timeout = Timeout.InfiniteTimeSpan, // each request has its own RequestTimeout
        };
        _client.DefaultRequestHeaders.UserAgent.ParseAdd("MemLens");
        _loop = Task.Run(RunAsync);
    }

    /// <summary>
    /// True while the endpoint refuses connections within the start-up grace and has never answered: the program is
    /// taken to be starting, so <see cref="Sample"/> writes nothing and reports no error.
    /// </summary>
    public bool IsWaitingForEndpoint
    {
        get
        {
            lock (_lock)
            {
                return _waiting;
            }
        }
    }

    /// <summary>The URL given to the constructor.</summary>
    public Uri Endpoint { get; }

    public string Name => "go.memstats";

    /// <summary>100 ms until the first poll has finished (so the first figures show at once), then the sampling interval.</summary>
    public TimeSpan Interval
    {
        get
        {
            lock (_lock)
            {
                return _latest is null ? s_fastInterval : _interval;
            }
        }
    }

    /// <summary>Completes when the first poll has finished, successfully or not (or the source was disposed first).</summary>
    public Task FirstPoll => _firstPoll.Task;

    /// <summary>
    /// The URL that answered last and is asked first by the next poll, e.g. <c>…/debug/pprof/heap?debug=1</c>; null before a
    /// poll succeeded, and again after it answered 404 or without MemStats (the next poll tries every candidate).
    /// </summary>
    public Uri? ResolvedUrl => Volatile.Read(ref _resolved);

    /// <summary>The figures of the latest successful poll; null before one.</summary>
    public GoMemStats? Latest
    {
        get
        {
            lock (_lock)
            {
                return _lastGood;
            }
        }
    }

    /// <summary>Polls finished so far, successful or not.</summary>
    public long Polls
    {
        get
        {
            lock (_lock)
            {
                return _completed;
            }
        }
    }

    /// <summary>
    /// Writes the figures of the poll that finished since the previous call (nothing if none did), and starts the
    /// next poll unless one is running. Throws when the latest poll failed; the message is one line.
    /// </summary>
    public void Sample(ISampleWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        PollResult? result;
        bool fresh;
        lock (_lock)
        {
            result = _latest;
            fresh = _completed > _written;
            _written = _completed;
            _waiting = result is { RefusedUrl: not null } && !_answered && Stopwatch.GetTimestamp() < _graceEnds;
            if (!_inFlight && !_disposed)
            {
                _inFlight = true;
                _trigger.Release();
            }
        }

        if (result is null)
        {
            return; // the first poll is still running
        }

        if (result.Error is not null)
        {
            if (result.RefusedUrl is { } url && IsWaiting())
            {
                // A program still starting: said once, polled again at the normal interval, not a failure to back off from.
                if (!_waitingSaid)
                {
                    _waitingSaid = true;
                    writer.Event(new NoteEvent(writer.TimestampMs, "source.note",
                        $"{Name}: waiting for {url} to answer (connection refused: the program may still be starting)"));
                }

                return;
            }

            throw new InvalidOperationException(result.Error);
        }

        if (fresh)
        {
            result.Stats!.WriteTo(writer);
        }
    }

    private bool IsWaiting()
    {
        lock (_lock)
        {
            return _waiting;
        }
    }

    private async Task RunAsync()
    {
        CancellationToken stop = _stop.Token;
        try
        {
            while (!stop.IsCancellationRequested)
            {
                await _trigger.WaitAsync(stop).ConfigureAwait(false);
                PollResult result = await PollAsync(stop).ConfigureAwait(false);
                lock (_lock)
                {
                    _latest = result;
                    _lastGood = result.Stats ?? _lastGood;
                    _answered |= result.Stats is not null;
                    _completed++;
                    _inFlight = false;
                }

                _firstPoll.TrySetResult();
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
        finally
        {
            _firstPoll.TrySetResult();
        }
    }

    // One poll: the endpoint that answered last time, or the candidates in order. A 404 or a response without
    // runtime.MemStats moves on to the next candidate; other failures (refused, timeout, 500) are reported as they are.
    private async Task<PollResult> PollAsync(CancellationToken stop)
    {
        Uri? resolved = _resolved;
        if (resolved is not null)
        {
            Attempt again = await GetAsync(resolved, stop).ConfigureAwait(false);
            if (again.Stats is not null)
            {
                return PollResult.Success(again.Stats);
            }

            if (again.TryNext && _candidates.Length > 1)
            {
                Volatile.Write(ref _resolved, null); // the next poll asks both again
            }

            return PollResult.Failure($"GET {resolved}: {again.Error}", again.Refused ? resolved : null);
        }

        string? error = null;
        Uri? refused = null;
        foreach (Uri url in _candidates)
        {
            Attempt attempt = await GetAsync(url, stop).ConfigureAwait(false);
            if (attempt.Stats is not null)
            {
                Volatile.Write(ref _resolved, url);
                return PollResult.Success(attempt.Stats);
            }

            error = error is null ? $"GET {url}: {attempt.Error}" : $"{error}, and {url.PathAndQuery}: {attempt.Error}";
            refused = attempt.Refused ? url : null;
            if (!attempt.TryNext)
            {
                break;
            }
        }

        return PollResult.Failure(error!, refused);
    }

    private async Task<Attempt> GetAsync(Uri url, CancellationToken stop)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stop);
        timeout.CancelAfter(RequestTimeout);
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            using HttpResponseMessage response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                int code = (int)response.StatusCode;
                string reason = string.IsNullOrWhiteSpace(response.ReasonPhrase) ? response.StatusCode.ToString() : response.ReasonPhrase.Trim();
                return new Attempt(null, $"{code} {OneLine(reason)}", TryNext: response.StatusCode == HttpStatusCode.NotFound);
            }

            Stream body = await response.Content.ReadAsStreamAsync(timeout.Token).ConfigureAwait(false);
            await using (body.ConfigureAwait(false))
            {
                (int length, bool cut) = await ReadBoundedAsync(body, timeout.Token).ConfigureAwait(false);
                return TryParseResponse(url, _buffer.AsSpan(0, length), cut, out GoMemStats? stats, out string? error, out bool tryNext)
                    ? new Attempt(stats, null, false)
                    : new Attempt(null, error, tryNext);
            }
        }
        catch (OperationCanceledException) when (!stop.IsCancellationRequested)
        {
            return new Attempt(null, $"no answer within {RequestTimeout.TotalSeconds:0.#} s", TryNext: false);
        }
        catch (HttpRequestException ex)
        {
            string explained = Explain(ex);
            return new Attempt(null, explained, TryNext: false) { Refused = IsRefused(ex) };
        }
        catch (IOException ex)
        {
            return new Attempt(null, Explain(ex), TryNext: false);
        }
#pragma warning disable CA1031 // Whatever else goes wrong is this poll's error; the poller must keep going.
        catch (Exception ex) when (ex is not OperationCanceledException)
#pragma warning restore CA1031
        {
            return new Attempt(null, Explain(ex), TryNext: false);
        }
    }

    // Reads the body into _buffer (grown as needed, never beyond MaxResponseBytes). Cut: the body had more.
    private async Task<(int Length, bool Cut)> ReadBoundedAsync(Stream body, CancellationToken token)
    {
        int length = 0;
        while (true)
        {
            if (length == _buffer.Length)
            {
                if (_buffer.Length >= MaxResponseBytes)
                {
                    byte[] probe = new byte[1];
                    return (length, await body.ReadAsync(probe, token).ConfigureAwait(false) > 0);
                }

                Array.Resize(ref _buffer, Math.Min(_buffer.Length * 2, MaxResponseBytes));
            }

            int read = await body.ReadAsync(_buffer.AsMemory(length), token).ConfigureAwait(false);
            if (read == 0)
            {
                return (length, false);
            }

            length += read;
        }
    }

    /// <summary>
    /// Reads one response body of <paramref name="url"/> (expvar JSON when its path ends with <c>/debug/vars</c>, else
    /// a heap profile). <paramref name="cut"/>: the body was cut at <see cref="MaxResponseBytes"/>. <paramref name="tryNext"/>:
    /// the failure is one the next candidate URL may not have (no MemStats here).
    /// </summary>
    internal static bool TryParseResponse(Uri url, ReadOnlySpan<byte> body, bool cut, out GoMemStats? stats, out string? error, out bool tryNext)
    {
        tryNext = true;
        if (url.AbsolutePath.EndsWith(GoMemStatsEndpoint.ExpvarPath, StringComparison.Ordinal))
        {
            if (GoMemStatsParser.TryParseExpvar(body, isComplete: !cut, out stats, out error))
            {
                return true;
            }

            error += cut ? $" (response cut at {MaxResponseBytes >> 20} MiB)" : "";
            return false;
        }

        // The section is at the end of the profile: decode only from its header on, and drop a line the cut split.
        int at = FindSectionStart(body);
        if (at < 0)
        {
            stats = null;
            error = cut
                ? $"no runtime.MemStats in the first {MaxResponseBytes >> 20} MiB of the heap profile (the section is at its end)"
                : "no runtime.MemStats in the response";
            return false;
        }

        ReadOnlySpan<byte> section = body[at..];
        if (cut)
        {
            section = section[..(section.LastIndexOf((byte)'\n') + 1)];
        }

        return GoMemStatsParser.TryParsePprofHeap(Encoding.UTF8.GetString(section), out stats, out error);
    }

    private static int FindSectionStart(ReadOnlySpan<byte> body)
    {
        int offset = 0;
        while (offset < body.Length)
        {
            int at = body[offset..].IndexOf(s_sectionHeader);
            if (at < 0)
            {
                return -1;
            }

            at += offset;
            if (at == 0 || body[at - 1] == (byte)'\n')
            {
                return at;
            }

            offset = at + 1;
        }

        return -1;
    }

    private static bool IsRefused(Exception ex)
    {
        for (Exception? e = ex; e is not null; e = e.InnerException)
        {
            if (e is SocketException { SocketErrorCode: SocketError.ConnectionRefused })
            {
                return true;
            }
        }

        return false;
    }

    // "connection refused", "host not found": the socket's own words when there is a socket error.
    private static string Explain(Exception ex)
    {
        for (Exception? e = ex; e is not null; e = e.InnerException)
        {
            if (e is SocketException socket)
            {
                return socket.SocketErrorCode switch
                {
                    SocketError.ConnectionRefused => "connection refused",
                    SocketError.HostNotFound or SocketError.NoData => "host not found",
                    SocketError.TimedOut => "connection timed out",
                    SocketError.ConnectionReset => "connection reset by the program",
                    SocketError.NetworkUnreachable or SocketError.HostUnreachable => "host unreachable",
                    _ => Lower(OneLine(socket.Message)),
                };
            }
        }

        Exception inner = ex.GetBaseException();
        return Lower(OneLine(inner.Message));
    }

    private static string Lower(string s) => s.Length > 1 && char.IsUpper(s[0]) && !char.IsUpper(s[1]) ? char.ToLowerInvariant(s[0]) + s[1..] : s;

    private static string OneLine(string s) => s.ReplaceLineEndings(" ").Trim();

    /// <summary>Stops polling: the running request is cancelled.</summary>
    public void Dispose()
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
        }

        _stop.Cancel();
        try
        {
            _loop.Wait(RequestTimeout);
        }
        catch (AggregateException)
        {
            // The loop catches everything it expects; whatever else ended it does not matter any more.
        }

        _client.Dispose();
        _trigger.Dispose();
        _stop.Dispose();
    }

    /// <summary>One poll's outcome. RefusedUrl: the failure was a refused connection to that URL (nothing listening yet).</summary>
    private sealed record PollResult(GoMemStats? Stats, string? Error, Uri? RefusedUrl = null)
    {
        public static PollResult Success(GoMemStats stats) => new(stats, null);

        public static PollResult Failure(string error, Uri? refusedUrl = null) => new(null, error, refusedUrl);
    }

    /// <summary>One GET. TryNext: the next candidate may have what this one lacked (404, no MemStats). Refused: nothing listened.</summary>
    private sealed record Attempt(GoMemStats? Stats, string? Error, bool TryNext)
    {
        public bool Refused { get; init; }
    }
}
