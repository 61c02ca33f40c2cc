using MemLens.Events;

namespace MemLens.Storage;

/// <summary>
/// The newest events, at most a fixed number, in arrival order; the oldest are overwritten and counted.
/// The array grows by doubling up to the limit so a quiet process does not pay for 20,000 slots.
/// Not thread-safe: the store locks around it.
/// </summary>
internal sealed class EventRing
{
    private readonly int _capacity;
    private MemEvent[] _items = [];
    private int _start;
    private int _count;

    public EventRing(int capacity) => _capacity = capacity;

    public long Dropped { get; private set; }

    public int Count => _count;

    public void Add(MemEvent memEvent)
    {
        if (_count == _capacity)
        {
            _items[_start] = memEvent;
            _start = (_start + 1) % _capacity;
            Dropped++;
            return;
        }

        if (_count == _items.Length)
        {
            Grow();
        }

        _items[(_start + _count) % _items.Length] = memEvent;
        _count++;
    }

    /// <summary>
    /// Events with from ≤ t ≤ to, oldest first by timestamp (sources may deliver slightly out of order),
    /// at most <paramref name="max"/>: the newest ones when cut.
    /// </summary>
    public List<MemEvent> Get(long fromMs, long toMs, int max)
    {
        var result = new List<MemEvent>();
        bool sorted = true;
        long previous = long.MinValue;
        for (int i = 0; i < _count; i++)
        {
            var e = _items[(_start + i) % _items.Length];
            if (e.TimestampMs < fromMs || e.TimestampMs > toMs)
            {
                continue;
            }

            sorted &= e.TimestampMs >= previous;
            previous = e.TimestampMs;
            result.Add(e);
        }

        if (!sorted)
        {
            // Stable: events with equal timestamps keep their arrival order.
            result = [.. result.OrderBy(e => e.TimestampMs)];
        }

        if (result.Count > max)
        {
            result.RemoveRange(0, result.Count - max);
        }

        return result;
    }

    /// <summary>Events ever added (kept or since overwritten).</summary>
    public long Added => Dropped + _count;

    /// <summary>
    /// The events added after the first <paramref name="added"/> (a value of <see cref="Added"/> read earlier), in
    /// arrival order; <paramref name="lost"/> counts those overwritten before they could be read.
    /// </summary>
    public List<MemEvent> AddedSince(long added, out long lost)
    {
        long first = Math.Max(added, Dropped);
        lost = first - Math.Max(added, 0);
        var result = new List<MemEvent>((int)Math.Max(0, Added - first));
        for (long i = first - Dropped; i < _count; i++)
        {
            result.Add(_items[(int)((_start + i) % _items.Length)]);
        }

        return result;
    }

    private void Grow()
    {
        int size = (int)Math.Min(_capacity, Math.Max(16L, _items.Length * 2L));
        var items = new MemEvent[size];
        for (int i = 0; i < _count; i++)
        {
            items[i] = _items[(_start + i) % _items.Length];
        }

        _items = items;
        _start = 0;
    }
}
