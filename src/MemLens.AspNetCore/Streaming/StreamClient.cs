using System.Threading.Channels;

namespace MemLens.AspNetCore.Streaming;

/// <summary>
/// One live-stream connection: a bounded queue of ready-to-send frames. When the client falls behind and the
/// queue is full, new frames are dropped and counted; the connection tells the client so it can refetch.
/// </summary>
internal sealed class StreamClient : IDisposable
{
    private readonly Channel<byte[]> _frames;
    private readonly CancellationTokenSource _evicted = new();
    private long _dropped;
    private long _writingSince = -1;

    public StreamClient(int capacity)
    {
        ConnectedAtMs = Environment.TickCount64;
        _frames = Channel.CreateBounded<byte[]>(new BoundedChannelOptions(capacity)
        {
            SingleReader = true,
            SingleWriter = false,
            FullMode = BoundedChannelFullMode.Wait, // with Wait, TryWrite fails when full, which is how drops are counted
        });
    }

    public ChannelReader<byte[]> Reader => _frames.Reader;

    /// <summary>When the client connected (monotonic ms).</summary>
    public long ConnectedAtMs { get; }

    /// <summary>Cancelled when the hub evicts the client to make room; the connection then ends.</summary>
    public CancellationToken Evicted => _evicted.Token;

    /// <summary>
    /// How long the write in progress has been waiting for the client to read (0 when none is): a client whose socket
    /// buffers are full because it never reads is stuck here.
    /// </summary>
    public long StalledMs(long nowMs)
    {
        long since = Interlocked.Read(ref _writingSince);
        return since < 0 ? 0 : nowMs - since;
    }

    /// <summary>Marks a write (and flush) to the client as started, or, with false, as done.</summary>
    public void Writing(bool started) => Interlocked.Exchange(ref _writingSince, started ? Environment.TickCount64 : -1);

    /// <summary>Ends the connection to make room for another client.</summary>
    public void Evict()
    {
        try
        {
            _evicted.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // Already gone.
        }
    }
    /// <summary>Total frames dropped over the connection's life.</summary>
    public long TotalDropped { get; private set; }

    /// <summary>Queues a frame without waiting; drops it when the queue is full.</summary>
    public bool Offer(byte[] frame)
    {
        if (_frames.Writer.TryWrite(frame))
        {
            return true;
        }

        Interlocked.Increment(ref _dropped);
        return false;
    }

    /// <summary>Returns and resets the count of frames dropped since the last call.</summary>
    public long TakeDropped()
    {
        long n = Interlocked.Exchange(ref _dropped, 0);
        TotalDropped += n;
        return n;
    }

    public void Complete() => _frames.Writer.TryComplete();

    public void Dispose() => _evicted.Dispose();
}
