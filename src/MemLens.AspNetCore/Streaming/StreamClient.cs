using System.Threading.Channels;

namespace MemLens.AspNetCore.Streaming;

/// <summary>
/// One live-stream connection: a bounded queue of ready-to-send frames. When the client falls behind and the
/// queue is full, new frames are dropped and counted; the connection tells the client so it can refetch.
/// </summary>
internal sealed class StreamClient
{
    private readonly Channel<byte[]> _frames;
    private long _dropped;

    public StreamClient(int capacity)
    {
        _frames = Channel.CreateBounded<byte[]>(new BoundedChannelOptions(capacity)
        {
            SingleReader = true,
            SingleWriter = false,
            FullMode = BoundedChannelFullMode.Wait, // with Wait, TryWrite fails when full, which is how drops are counted
        });
    }

    public ChannelReader<byte[]> Reader => _frames.Reader;

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
}
