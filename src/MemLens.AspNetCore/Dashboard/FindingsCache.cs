namespace MemLens.AspNetCore.Dashboard;

/// <summary>
/// The doctor's answers (<c>api/findings</c>) kept for a few seconds per range, so several pages (or one page asking
/// again on each change) do not run the analysis over the same history again and again. Ranges are keyed by
/// <see cref="BucketMs"/>-wide buckets of their ends: a page that follows live asks for a range ending "now", which
/// moves by milliseconds between two requests. Concurrent requests for one key wait for one analysis. Bounded:
/// at most <see cref="Capacity"/> ranges, the oldest dropped first.
/// </summary>
internal sealed class FindingsCache
{
    /// <summary>Width of the buckets that range ends are rounded down to for the key.</summary>
    public const long BucketMs = 5_000;

    /// <summary>How long an answer is served before the doctor is asked again (live data moves on).</summary>
    public const long LifetimeMs = 5_000;

    /// <summary>Most ranges held at once.</summary>
    public const int Capacity = 16;

    private readonly Func<long> _clockMs;
    private readonly object _gate = new();
    private readonly Dictionary<(long From, long To), Entry> _entries = [];
    private long _computed;

    public FindingsCache()
        : this(static () => Environment.TickCount64)
    {
    }

    /// <summary>A cache on the given monotonic clock (ms), for tests.</summary>
    internal FindingsCache(Func<long> clockMs) => _clockMs = clockMs;

    /// <summary>Analyses run so far (for tests).</summary>
    public long Computed => Interlocked.Read(ref _computed);

    /// <summary>Ranges held now (for tests).</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _entries.Count;
            }
        }
    }

    /// <summary>
    /// The answer for the range's bucket: a fresh one held, or <paramref name="examine"/>(from, to) run once. A failed
    /// analysis is not kept.
    /// </summary>
    public byte[] Get(long fromMs, long toMs, Func<long, long, byte[]> examine)
    {
        ArgumentNullException.ThrowIfNull(examine);
        var key = (Floor(fromMs), Floor(toMs));
        Entry entry;
        lock (_gate)
        {
            long now = _clockMs();
            if (!_entries.TryGetValue(key, out entry!) || now - entry.CreatedMs >= LifetimeMs)
            {
                foreach (var stale in _entries.Where(e => now - e.Value.CreatedMs >= LifetimeMs).Select(e => e.Key).ToArray())
                {
                    _entries.Remove(stale);
                }

                if (_entries.Count >= Capacity)
                {
                    _entries.Remove(_entries.MinBy(e => e.Value.CreatedMs).Key);
                }

                entry = new Entry(now, new Lazy<byte[]>(() =>
                {
                    Interlocked.Increment(ref _computed);
                    return examine(fromMs, toMs);
                }, LazyThreadSafetyMode.ExecutionAndPublication));
                _entries[key] = entry;
            }
        }

        try
        {
            return entry.Json.Value;
        }
        catch
        {
            lock (_gate)
            {
                if (_entries.TryGetValue(key, out var held) && ReferenceEquals(held, entry))
                {
                    _entries.Remove(key);
                }
            }

            throw;
        }
    }

    private static long Floor(long ms) => ms >= 0 ? ms / BucketMs : ((ms + 1) / BucketMs) - 1;

    private sealed record Entry(long CreatedMs, Lazy<byte[]> Json);
}
