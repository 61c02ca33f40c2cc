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
            Thread.Sleep(1300);
        }

        // Generous bounds: this checks the schedule, not the timing precision of a loaded CI machine.
        Assert.InRange(fast.Calls, 8, 30);
        Assert.InRange(slow.Calls, 2, 4);
        Assert.True(fast.Calls > 3 * slow.Calls);
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
        public int Calls { get; private set; }

        public string Name => name;

        public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(1);

        public void Sample(ISampleWriter writer) => writer.Write(metric, ++Calls);

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
