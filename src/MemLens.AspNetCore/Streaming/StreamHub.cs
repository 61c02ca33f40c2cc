using System.Buffers;
using System.Text;
using System.Text.Json;
using MemLens.AspNetCore.Dashboard;
using MemLens.Events;
using MemLens.Metrics;
using MemLens.Sampling;
using MemLens.Storage;

namespace MemLens.AspNetCore.Streaming;

/// <summary>
/// Turns each sampling round into one server-sent-events frame (serialised once, shared by every client) and
/// offers it to every connected client's bounded queue. Runs on the sampler thread, so it must stay quick:
/// it never waits for a client.
/// </summary>
internal sealed class StreamHub : IDisposable
{
    private static readonly byte[] s_sampleHeader = Encoding.UTF8.GetBytes("event: sample\ndata: ");
    private static readonly byte[] s_eventHeader = Encoding.UTF8.GetBytes("event: event\ndata: ");
    private static readonly byte[] s_statusHeader = Encoding.UTF8.GetBytes("event: status\ndata: ");
    private static readonly byte[] s_snapshotHeader = Encoding.UTF8.GetBytes("event: snapshot\ndata: ");
    private static readonly byte[] s_trailer = "\n\n"u8.ToArray();

    private readonly MemLensMonitor _monitor;
    private readonly int _maxClients;
    private readonly int _queueLength;
    private readonly object _gate = new();
    private readonly double[] _lastCounter = new double[MetricCatalog.Count];
    private readonly long[] _lastCounterTs = new long[MetricCatalog.Count];
    private readonly ArrayBufferWriter<byte> _buffer = new(4096);
    private readonly Timer _statusTimer;
    private StreamClient[] _clients = [];

    public StreamHub(MemLensMonitor monitor, int maxClients, int queueLength)
    {
        _monitor = monitor;
        _maxClients = maxClients;
        _queueLength = queueLength;
        _statusTimer = new Timer(_ => PublishStatus(), null, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(5));
    }

    public int ClientCount => Volatile.Read(ref _clients).Length;

    /// <summary>Clients evicted to make room for new ones.</summary>
    public long EvictedClients { get; private set; }

    /// <summary>Frames dropped across all clients, for tests and status.</summary>
    public long DroppedFrames { get; private set; }

    /// <summary>A client younger than this is never evicted, so clients that keep reconnecting cannot push each other out in a loop.</summary>
    internal const long EvictableAfterMs = 2_000;

    /// <summary>
    /// Adds a client. When <c>MaxStreamClients</c> are already connected, the client longest stuck in a write (one that
    /// does not read) is evicted to make room, or else the oldest; null when every client is younger than
    /// <see cref="EvictableAfterMs"/>. Idle or dead connections thus never lock new clients out for long.
    /// </summary>
    public StreamClient? Connect()
    {
        lock (_gate)
        {
            if (_clients.Length >= _maxClients)
            {
                long now = Environment.TickCount64;
                var victim = _clients
                    .Where(c => now - c.ConnectedAtMs >= EvictableAfterMs)
                    .OrderByDescending(c => c.StalledMs(now))
                    .ThenBy(c => c.ConnectedAtMs)
                    .FirstOrDefault();
                if (victim is null)
                {
                    return null;
                }

                _clients = _clients.Where(c => c != victim).ToArray();
                victim.Complete();
                victim.Evict();
                EvictedClients++;
            }

            var client = new StreamClient(_queueLength);
            _clients = [.. _clients, client];
            return client;
        }
    }

    public void Disconnect(StreamClient client)
    {
        lock (_gate)
        {
            _clients = _clients.Where(c => c != client).ToArray();
        }

        client.Complete();
    }

    /// <summary>Called on the sampler thread after every round.</summary>
    public void OnSampled(SampleBatch batch)
    {
        if (ClientCount == 0)
        {
            // Nobody listens: only keep the counters' last values so the first rate is right later.
            lock (_buffer)
            {
                RememberCounters(batch);
            }
        }
        else if (SampleFrame(batch) is { } frame)
        {
            Broadcast(frame);
        }

        foreach (var e in batch.Events)
        {
            PublishEvent(e);
        }
    }

    private byte[]? SampleFrame(SampleBatch batch)
    {
        lock (_buffer)
        {
            _buffer.Clear();
            using var writer = new Utf8JsonWriter(_buffer);
            writer.WriteStartObject();
            writer.WriteNumber("ts", batch.TimestampMs);
            writer.WriteStartObject("values");
            int written = WriteValues(writer, batch);
            writer.WriteEndObject();
            writer.WriteEndObject();
            writer.Flush();
            return written > 0 ? Frame(s_sampleHeader, _buffer.WrittenSpan) : null;
        }
    }

    /// <summary>Sends one event to every client.</summary>
    public void PublishEvent(MemEvent memEvent)
    {
        if (ClientCount == 0)
        {
            return;
        }

        Broadcast(Frame(s_eventHeader, ApiJson.Serialize(w => ApiJson.WriteEvent(w, memEvent))));
    }

    /// <summary>Sends a heap snapshot's progress or outcome to every client.</summary>
    public void PublishSnapshot(Action<Utf8JsonWriter> write)
    {
        if (ClientCount == 0)
        {
            return;
        }

        Broadcast(Frame(s_snapshotHeader, ApiJson.Serialize(write)));
    }

    public void PublishStatus()
    {
        try
        {
            if (ClientCount == 0)
            {
                return;
            }

            Broadcast(StatusFrame());
        }
        catch (Exception)
        {
            // A timer callback must not throw into the host; the next tick tries again.
        }
    }

    public byte[] StatusFrame() => Frame(s_statusHeader, ApiJson.Serialize(w => ApiJson.WriteStatus(w, _monitor)));

    private void RememberCounters(SampleBatch batch)
    {
        foreach (var metric in MetricCatalog.All)
        {
            if (metric.Kind == MetricKind.Counter && batch.TryGetValue(metric, out double value))
            {
                _lastCounter[metric.Id] = value;
                _lastCounterTs[metric.Id] = batch.TimestampMs;
            }
        }
    }

    private int WriteValues(Utf8JsonWriter writer, SampleBatch batch)
    {
        int written = 0;
        var store = _monitor.Store;
        foreach (var metric in MetricCatalog.All)
        {
            if (!batch.TryGetValue(metric, out double value))
            {
                continue;
            }

            writer.WriteNumber(metric.Name, value);
            written++;
            if (metric.Kind == MetricKind.Counter)
            {
                long previousTs = _lastCounterTs[metric.Id];
                double previous = _lastCounter[metric.Id];
                if (previousTs > 0 && batch.TimestampMs > previousTs && value >= previous)
                {
                    writer.WriteNumber(DerivedSeries.RatePrefix + metric.Name, (value - previous) * 1000.0 / (batch.TimestampMs - previousTs));
                }

                _lastCounter[metric.Id] = value;
                _lastCounterTs[metric.Id] = batch.TimestampMs;
            }
        }

        foreach (var d in DerivedSeries.Differences)
        {
            if (TryDifference(batch, store, d, out double difference))
            {
                writer.WriteNumber(d.Id, difference);
            }
        }

        return written;
    }

    /// <summary>
    /// A difference when this round wrote at least one of its operands; the other may come from the store (RSS and
    /// GC committed come from different sources, which need not run in the same round).
    /// </summary>
    private static bool TryDifference(SampleBatch batch, MetricStore store, DifferenceSeries d, out double difference)
    {
        difference = 0;
        bool hasA = batch.TryGetValue(d.Minuend, out double a);
        bool hasB = batch.TryGetValue(d.Subtrahend, out double b);
        if (!hasA && !hasB)
        {
            return false;
        }

        if (!hasA)
        {
            hasA = store.TryGetLatest(d.Minuend, out _, out a);
        }

        if (!hasB)
        {
            hasB = store.TryGetLatest(d.Subtrahend, out _, out b);
        }

        difference = a - b;
        return hasA && hasB;
    }

    private void Broadcast(byte[] frame)
    {
        long dropped = 0;
        foreach (var client in Volatile.Read(ref _clients))
        {
            if (!client.Offer(frame))
            {
                dropped++;
            }
        }

        if (dropped > 0)
        {
            lock (_gate)
            {
                DroppedFrames += dropped;
            }
        }
    }

    internal static byte[] Frame(byte[] header, ReadOnlySpan<byte> json)
    {
        // JSON from Utf8JsonWriter has no raw newlines, so one data: line holds it.
        var frame = new byte[header.Length + json.Length + s_trailer.Length];
        header.CopyTo(frame, 0);
        json.CopyTo(frame.AsSpan(header.Length));
        s_trailer.CopyTo(frame, header.Length + json.Length);
        return frame;
    }

    public void Dispose()
    {
        _statusTimer.Dispose();
        lock (_gate)
        {
            foreach (var c in _clients)
            {
                c.Complete();
            }

            _clients = [];
        }
    }
}
