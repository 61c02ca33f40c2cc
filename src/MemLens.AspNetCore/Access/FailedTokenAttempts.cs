using System.Net;
using System.Net.Sockets;
using System.Threading.RateLimiting;

namespace MemLens.AspNetCore.Access;

/// <summary>
/// Wrong access tokens per client: at most <see cref="PermitLimit"/> a minute, then 429 until the minute is over.
/// Clients are bucketed by address (IPv6 by its /64, which one host usually holds whole) into at most
/// <see cref="MaxPartitions"/> buckets, so the table stays bounded however many addresses guess; two clients
/// sharing a bucket share its budget. Fixed windows from System.Threading.RateLimiting, one per bucket.
/// </summary>
internal sealed class FailedTokenAttempts : IDisposable
{
    /// <summary>Wrong tokens a client may send per <see cref="Window"/>.</summary>
    public const int PermitLimit = 10;

    /// <summary>Most buckets (and so rate limiters) ever held.</summary>
    public const int MaxPartitions = 4096;

    /// <summary>The window the limit counts over.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    // Made on first use (only a dashboard with a token needs it): the partitioned limiter runs one heartbeat timer,
    // which replenishes every bucket's window (AutoReplenishment off: no timer per bucket) and drops idle buckets.
    private readonly Lazy<PartitionedRateLimiter<int>> _limiter = new(() => PartitionedRateLimiter.Create<int, int>(bucket =>
        RateLimitPartition.GetFixedWindowLimiter(bucket, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = PermitLimit,
            Window = Window,
            QueueLimit = 0,
            AutoReplenishment = false,
        })));

    private readonly bool[] _seen = new bool[MaxPartitions];
    private int _partitions;

    /// <summary>Buckets used so far (for tests): never more than <see cref="MaxPartitions"/>.</summary>
    public int Partitions => Volatile.Read(ref _partitions);

    /// <summary>True when <paramref name="client"/> has used its wrong tokens for this window; <paramref name="retryAfterSeconds"/> then says how long to wait at most.</summary>
    public bool IsLimited(IPAddress? client, out int retryAfterSeconds)
    {
        retryAfterSeconds = (int)Window.TotalSeconds;
        return _limiter.Value.GetStatistics(Bucket(client))?.CurrentAvailablePermits <= 0;
    }

    /// <summary>Counts a wrong token; false when it was one too many (the client is now limited).</summary>
    public bool Failed(IPAddress? client, out int retryAfterSeconds)
    {
        using var lease = _limiter.Value.AttemptAcquire(Bucket(client));
        retryAfterSeconds = lease.TryGetMetadata(MetadataName.RetryAfter, out TimeSpan wait)
            ? Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds))
            : (int)Window.TotalSeconds;
        return lease.IsAcquired;
    }

    /// <summary>Counts a wrong token (for tests).</summary>
    public void Failed(IPAddress client) => Failed(client, out _);

    public void Dispose()
    {
        if (_limiter.IsValueCreated)
        {
            _limiter.Value.Dispose();
        }
    }

    private int Bucket(IPAddress? client)
    {
        client ??= IPAddress.None;
        if (client.IsIPv4MappedToIPv6)
        {
            client = client.MapToIPv4();
        }

        Span<byte> bytes = stackalloc byte[16];
        client.TryWriteBytes(bytes, out int length);
        if (client.AddressFamily == AddressFamily.InterNetworkV6)
        {
            length = 8; // the /64
        }

        var hash = default(HashCode); // seeded per process: a client cannot aim at another's bucket
        hash.AddBytes(bytes[..length]);
        int bucket = (int)((uint)hash.ToHashCode() % MaxPartitions);
        if (!Volatile.Read(ref _seen[bucket]))
        {
            lock (_seen)
            {
                if (!_seen[bucket])
                {
                    _seen[bucket] = true;
                    _partitions++;
                }
            }
        }

        return bucket;
    }
}
