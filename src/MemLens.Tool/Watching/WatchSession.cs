using System.Threading.Channels;
using MemLens.Events;
using MemLens.Metrics;
using MemLens.Sampling;
using MemLens.Storage;

namespace MemLens.Tool.Watching;

/// <summary>
/// Samples a process with the given sources into a store and feeds a renderer one frame per sample of
/// the primary source (RSS), until the duration ends, the user presses Ctrl+C or the process exits.
/// </summary>
internal sealed class WatchSession
{
    private readonly WatchTarget _target;
    private readonly IReadOnlyList<IMetricSource> _sources;
    private readonly MetricStore _store = new();
    private readonly Task? _outputDrained;

    // How long the last frame waits for the rest of the program's output once the program has exited.
    private static readonly TimeSpan s_drainWait = TimeSpan.FromSeconds(2);

    /// <param name="outputDrained">
    /// Completes when the program's output has been read to its end (a Go child's trace on stderr); once the program
    /// has exited, the last frame waits for it so that the last lines it printed are in the store. Null when no
    /// source reads the program's output.
    /// </param>
    public WatchSession(WatchTarget target, IReadOnlyList<IMetricSource> sources, Task? outputDrained = null)
    {
        _target = target;
        _sources = sources;
        _outputDrained = outputDrained;
    }

    public MetricStore Store => _store;

    /// <summary>Why the session ended.</summary>
    public enum EndReason
    {
        Duration,
        Cancelled,
        TargetExited,
    }

    public async Task<EndReason> RunAsync(IWatchRenderer renderer, TimeSpan? duration, CancellationToken cancellationToken)
    {
        // Bounded: a renderer that falls behind (a slow terminal) skips frames instead of queueing them.
        var frames = Channel.CreateBounded<WatchFrame>(new BoundedChannelOptions(8)
        {
            FullMode = BoundedChannelFullMode.DropOldest,
            SingleReader = true,
            SingleWriter = true,
        });
        var pendingEvents = new List<MemEvent>();
        using var sampler = new Sampler(_store, _sources);
        var exited = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        int knownSeries = 0;
        sampler.Sampled += batch =>
        {
            pendingEvents.AddRange(batch.Events);
            // A round of a slower source only shows in the next frame, unless it brings series never seen before:
            // the runtime's first figures (an attach completing) are shown as soon as they exist.
            int series = _store.Metrics.Count;
            bool newSeries = series > knownSeries;
            knownSeries = series;
            if (!batch.TryGetValue(MetricCatalog.ProcessRss, out _) && !sampler.TargetHasExited && !newSeries)
            {
                return;
            }

            if (sampler.TargetHasExited && _outputDrained is not null && !exited.Task.IsCompleted)
            {
                exited.TrySetResult(); // the last frame comes after the program's output is read (below)
                return;
            }

            frames.Writer.TryWrite(new WatchFrame(batch.TimestampMs, pendingEvents.ToArray(), _store, sampler.Statuses));
            pendingEvents.Clear();
            if (sampler.TargetHasExited)
            {
                exited.TrySetResult(); // only after the frame with the exit event is queued
            }
        };

        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (duration is { } d)
        {
            linked.CancelAfter(d);
        }

        var render = renderer.RunAsync(_target, frames.Reader, linked.Token);
        sampler.Start();

        EndReason reason;
        try
        {
            await exited.Task.WaitAsync(linked.Token).ConfigureAwait(false);
            reason = EndReason.TargetExited;
            if (_outputDrained is not null)
            {
                await Task.WhenAny(_outputDrained, Task.Delay(s_drainWait, CancellationToken.None)).ConfigureAwait(false);
                sampler.SampleNow(force: true); // the lines read meanwhile, with the exit event, in the last frame
            }
        }
        catch (OperationCanceledException)
        {
            reason = cancellationToken.IsCancellationRequested ? EndReason.Cancelled : EndReason.Duration;
        }

        sampler.Dispose();
        frames.Writer.TryComplete();
        try
        {
            await render.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        return reason;
    }
}
