using MemLens.Events;
using MemLens.Sampling;
using MemLens.Storage;

namespace MemLens.Tool.Watching;

/// <summary>One sample of the watched process, handed to a renderer: the new events and where to read values.</summary>
/// <param name="TimestampMs">Unix ms of the sample.</param>
/// <param name="Events">Events since the previous frame.</param>
/// <param name="Store">The store holding every value so far (latest values, trends).</param>
/// <param name="Statuses">State of each source.</param>
internal sealed record WatchFrame(long TimestampMs, IReadOnlyList<MemEvent> Events, MetricStore Store, IReadOnlyList<SourceStatus> Statuses);

/// <summary>What is being watched.</summary>
/// <param name="ProcessId">The PID.</param>
/// <param name="Name">The process's name, for titles.</param>
/// <param name="StartedAtMs">Unix ms when watching started.</param>
internal sealed record WatchTarget(int ProcessId, string Name, long StartedAtMs);

/// <summary>Shows frames to the user: a live table, or JSON lines for scripts.</summary>
internal interface IWatchRenderer
{
    /// <summary>Consumes frames until the reader completes or <paramref name="cancellationToken"/> fires.</summary>
    Task RunAsync(WatchTarget target, System.Threading.Channels.ChannelReader<WatchFrame> frames, CancellationToken cancellationToken);
}
