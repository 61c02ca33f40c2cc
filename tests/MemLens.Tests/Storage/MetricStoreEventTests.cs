using MemLens.Events;
using MemLens.Storage;
using Xunit;

namespace MemLens.Tests.Storage;

public class MetricStoreEventTests
{
    private static NoteEvent Note(long t, string message = "") => new(t, "note", message);

    [Fact]
    public void The_ring_keeps_the_newest_and_counts_the_dropped()
    {
        var store = new MetricStore(new MetricStoreOptions { MaxEvents = 100 });
        for (int i = 0; i < 250; i++)
        {
            store.AddEvent(Note(i));
        }

        Assert.Equal(150, store.DroppedEvents);
        var all = store.GetEvents(long.MinValue, long.MaxValue);
        Assert.Equal(Enumerable.Range(150, 100).Select(i => (long)i), all.Select(e => e.TimestampMs));
    }

    [Fact]
    public void A_reader_of_events_added_since_its_cursor_sees_each_once_in_arrival_order_and_counts_what_it_missed()
    {
        var store = new MetricStore(new MetricStoreOptions { MaxEvents = 16 });
        Assert.Empty(store.GetEventsAddedSince(0, out long cursor, out long lost));
        Assert.Equal((0L, 0L), (cursor, lost));

        // Same timestamps and out of time order: arrival order is what a cursor follows.
        store.AddEvent(Note(5, "a"));
        store.AddEvent(Note(5, "b"));
        store.AddEvent(Note(3, "c"));
        Assert.Equal(["a", "b", "c"], store.GetEventsAddedSince(cursor, out cursor, out lost).Select(e => e.Describe()));
        Assert.Equal((3L, 0L), (cursor, lost));
        Assert.Empty(store.GetEventsAddedSince(cursor, out cursor, out _));

        // 40 more into a ring of 16: the 24 overwritten first are counted as lost, the 16 kept are returned.
        for (int i = 0; i < 40; i++)
        {
            store.AddEvent(Note(10 + i, i.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }

        var next = store.GetEventsAddedSince(cursor, out cursor, out lost);
        Assert.Equal(24, lost);
        Assert.Equal(Enumerable.Range(24, 16).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)), next.Select(e => e.Describe()));
        Assert.Equal(43, cursor);
        Assert.Equal(cursor, store.EventsAdded);
    }

    [Fact]
    public void Range_is_inclusive_and_a_cut_keeps_the_newest()
    {
        var store = new MetricStore();
        for (int i = 0; i < 50; i++)
        {
            store.AddEvent(Note(i * 10));
        }

        Assert.Equal([100L, 110, 120], store.GetEvents(100, 120).Select(e => e.TimestampMs));
        Assert.Equal([180L, 190, 200], store.GetEvents(100, 200, max: 3).Select(e => e.TimestampMs));
        Assert.Empty(store.GetEvents(100, 200, max: 0));
        Assert.Empty(store.GetEvents(1000, 2000));
    }

    [Fact]
    public void Events_arriving_out_of_order_come_back_oldest_first_stably()
    {
        var store = new MetricStore();
        store.AddEvent(Note(30, "a"));
        store.AddEvent(Note(10, "b"));
        store.AddEvent(Note(30, "c"));
        store.AddEvent(Note(20, "d"));
        Assert.Equal("bdac", string.Concat(store.GetEvents(0, 100).Select(e => e.Describe())));
    }
}
