using System.Diagnostics;
using MemLens.Events;
using MemLens.Metrics;
using MemLens.Sampling;
using MemLens.Storage;
using Xunit;

namespace MemLens.Tests.Sampling;

public sealed class SamplerTests
{
    [Fact]
    public void A_failing_source_reports_its_error_while_the_others_keep_sampling()
    {
        var store = new MetricStore();
        using var sampler = new Sampler(store, [new CountingSource("good", MetricCatalog.ProcessThreads), new ThrowingSource()]);

        for (int i = 0; i < 3; i++)
        {
            sampler.SampleNow();
        }

        Assert.True(store.TryGetLatest(MetricCatalog.ProcessThreads, out _, out double v));
        Assert.Equal(3, v);
        var bad = Assert.Single(sampler.Statuses, s => s.Name == "broken");
        Assert.Equal(SourceState.Failing, bad.State);
        Assert.Equal("disk on fire", bad.LastError);
        Assert.Equal(3, bad.Failures);
        Assert.Equal(SourceState.Ok, Assert.Single(sampler.Statuses, s => s.Name == "good").State);

        // One event when the source starts failing, not one per failed attempt.
        var errors = store.GetEvents(0, long.MaxValue).Where(e => e.Type == "source.error").ToList();
        Assert.Single(errors);
        Assert.Contains("disk on fire", errors[0].Describe(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_source_that_fails_writes_nothing_of_that_round()
    {
        var store = new MetricStore();
        using var sampler = new Sampler(store, [new ThrowingSource(writeFirst: true)]);
        sampler.SampleNow();
        Assert.False(store.TryGetLatest(MetricCatalog.ProcessRss, out _, out _));
    }

    [Fact]
    public void Target_exit_stops_the_source_records_one_event_and_is_raised_once()
    {
        var store = new MetricStore();
        var exiting = new ExitingSource(afterRuns: 2);
        using var sampler = new Sampler(store, [exiting, new CountingSource("other", MetricCatalog.ProcessThreads)]);
        int raised = 0;
        sampler.TargetExited += _ => raised++;
        var typesSeen = new List<string>();
        sampler.Sampled += b => typesSeen.AddRange(b.Events.Select(e => e.Type));

        for (int i = 0; i < 5; i++)
        {
            sampler.SampleNow();
        }

        Assert.Equal(3, exiting.Calls); // not called again once it said the target exited
        Assert.Equal(1, raised);
        Assert.True(sampler.TargetHasExited);
        Assert.Equal(SourceState.Stopped, Assert.Single(sampler.Statuses, s => s.Name == "exiting").State);
        Assert.Single(store.GetEvents(0, long.MaxValue), e => e.Type == "process.exit");
        Assert.Equal(["process.exit"], typesSeen);
    }

    [Fact]
    public void The_background_thread_runs_each_source_on_its_own_interval()
    {
        var store = new MetricStore();
        var fast = new CountingSource("fast", MetricCatalog.ProcessThreads) { Interval = TimeSpan.FromMilliseconds(50) };
        var slow = new CountingSource("slow", MetricCatalog.ProcessRss) { Interval = TimeSpan.FromMilliseconds(600) };
        using (var sampler = new Sampler(store, [fast, slow]))
        {
            sampler.Start();
            Assert.True(SpinWait.SpinUntil(() => slow.Calls >= 4, TimeSpan.FromSeconds(60)), $"the slow source ran {slow.Calls} times");
        }

        // Timing-free: no run comes before its source's interval has passed since the previous one (a slow machine only
        // makes the gaps longer), and the fast source is not held to the slow one's pace (it ran between the slow
        // source's runs, not only with them).
        AssertGapsAtLeast(fast, TimeSpan.FromMilliseconds(50));
        AssertGapsAtLeast(slow, TimeSpan.FromMilliseconds(600));
        // Held to the slow pace, the fast source would run once between two slow runs (in the round of the second).
        var slowStarts = slow.Starts;
        var fastStarts = fast.Starts;
        int most = Enumerable.Range(1, slowStarts.Count - 1).Max(i => fastStarts.Count(t => t > slowStarts[i - 1] && t < slowStarts[i]));
        Assert.True(most >= 2, $"at most {most} fast run(s) between two slow runs");
    }

    private static void AssertGapsAtLeast(CountingSource source, TimeSpan interval)
    {
        var starts = source.Starts;
        for (int i = 1; i < starts.Count; i++)
        {
            // The schedule converts the interval to Stopwatch ticks through a double: allow that rounding, no more.
            var gap = Stopwatch.GetElapsedTime(starts[i - 1], starts[i]);
            Assert.True(gap >= interval - TimeSpan.FromTicks(10), $"{source.Name}: run {i} came {gap.TotalMilliseconds:0.###} ms after the previous one, interval {interval.TotalMilliseconds} ms");
        }
    }

    [Fact]
    public void Sampled_handlers_that_throw_do_not_stop_sampling()
    {
        var store = new MetricStore();
        using var sampler = new Sampler(store, [new CountingSource("good", MetricCatalog.ProcessThreads)]);
        sampler.Sampled += _ => throw new InvalidOperationException("bad handler");
        sampler.SampleNow();
        sampler.SampleNow();
        Assert.Equal(2, sampler.HandlerFailures);
        Assert.True(store.TryGetLatest(MetricCatalog.ProcessThreads, out _, out double v));
        Assert.Equal(2, v);
    }

    [Fact]
    public void Timestamps_never_go_backwards()
    {
        var store = new MetricStore();
        using var sampler = new Sampler(store, [new CountingSource("good", MetricCatalog.ProcessThreads)]);
        long last = 0;
        for (int i = 0; i < 200; i++)
        {
            long t = sampler.SampleNow().TimestampMs;
            Assert.True(t >= last);
            last = t;
        }
    }

    private sealed class CountingSource(string name, MetricDescriptor metric) : IMetricSource
    {
        private readonly List<long> _starts = [];
        private int _calls;

        public int Calls => Volatile.Read(ref _calls);

        /// <summary>Stopwatch timestamps of the starts of the runs.</summary>
        public List<long> Starts
        {
            get
            {
                lock (_starts)
                {
                    return [.. _starts];
                }
            }
        }

        public string Name => name;

        public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(1);

        public void Sample(ISampleWriter writer)
        {
            lock (_starts)
            {
                _starts.Add(Stopwatch.GetTimestamp());
            }

            writer.Write(metric, Interlocked.Increment(ref _calls));
        }

        public void Dispose()
        {
        }
    }

    private sealed class ThrowingSource(bool writeFirst = false) : IMetricSource
    {
        public string Name => "broken";

        public TimeSpan Interval => TimeSpan.FromSeconds(1);

        public void Sample(ISampleWriter writer)
        {
            if (writeFirst)
            {
                writer.Write(MetricCatalog.ProcessRss, 42);
            }

            throw new IOException("disk on fire");
        }

        public void Dispose()
        {
        }
    }

    private sealed class ExitingSource(int afterRuns) : IMetricSource
    {
        public int Calls { get; private set; }

        public string Name => "exiting";

        public TimeSpan Interval => TimeSpan.FromSeconds(1);

        public void Sample(ISampleWriter writer)
        {
            if (++Calls > afterRuns)
            {
                throw new TargetExitedException("process 1234 exited") { ProcessId = 1234 };
            }

            writer.Write(MetricCatalog.ProcessRss, Calls);
        }

        public void Dispose()
        {
        }
    }
}
