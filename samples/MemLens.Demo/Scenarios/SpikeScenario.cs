using MemLens.Formatting;
using System.Diagnostics;
using MemLens.Demo.Output;

namespace MemLens.Demo.Scenarios;

/// <summary>
/// "RSS went up during the batch job and never came back down." Every minute: allocate a large live
/// set quickly (1 MiB arrays, so it lands on the LOH), hold it 10 s, drop every reference, and do
/// not call the GC. The dead arrays stay in the heap figures until the runtime itself decides on a
/// gen2 GC (or someone sends "gc"), and even then RSS falls only as fast as the GC decommits —
/// exactly the gap between the OS view and the runtime view that MemLens explains.
/// One exception to "no GC": if the runtime has still not run a gen2 GC when the next spike is
/// due, the old spike is collected first. Measured: after one 400 MiB survivor the GC's LOH budget
/// is so large that the next spikes never trigger a gen2, and RSS climbed 0.45, 0.85, 1.2 GiB over
/// three cycles — unbounded, and no longer the behaviour this scenario is meant to show.
/// </summary>
internal sealed class SpikeScenario(long spikeBytes, double trafficBytesPerSecond) : ScenarioBase("spike")
{
    public const long DefaultSpikeMiB = 400;

    private const int ChunkBytes = 1024 * 1024;

    private static readonly TimeSpan Hold = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan Period = TimeSpan.FromSeconds(60);

    private readonly BackgroundTraffic _traffic = new(trafficBytesPerSecond);
    private int _gen2CountAtDrop = -1;

    public override async Task RunAsync(CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        for (var cycle = 0; !cancellationToken.IsCancellationRequested; cycle++)
        {
            var start = Period * cycle;
            if (!await IdleUntilAsync(clock, start, cancellationToken).ConfigureAwait(false))
            {
                return;
            }

            CollectOldSpikeIfTheGcHasNot();
            SetPhase("allocating");
            var spike = Allocate();
            SetPhase("holding");
            Say($"holding {ByteSize.Format(ManagedBytesHeld)} for {Hold.TotalSeconds:0} s");
            if (!await IdleUntilAsync(clock, start + Hold, cancellationToken).ConfigureAwait(false))
            {
                return;
            }

            // Drop every reference; deliberately no GC.Collect — the point is what happens without one.
            spike.Clear();
            spike.TrimExcess();
            AddManaged(-ManagedBytesHeld);
            _gen2CountAtDrop = GC.CollectionCount(2);
            SetPhase("idle");
            Say($"dropped the spike; no GC forced, next spike in {(Period - Hold).TotalSeconds:0} s");
        }
    }

    private void CollectOldSpikeIfTheGcHasNot()
    {
        if (_gen2CountAtDrop >= 0 && GC.CollectionCount(2) == _gen2CountAtDrop)
        {
            Say("no gen2 GC since the drop: collecting the old spike before the next one, to stay within --max-mb");
            GC.Collect(2, GCCollectionMode.Forced, blocking: true);
        }
    }

    private List<byte[]> Allocate()
    {
        var spike = new List<byte[]>((int)(spikeBytes / ChunkBytes) + 1);
        for (long held = 0; held < spikeBytes; held += ChunkBytes)
        {
            var chunk = new byte[(int)Math.Min(ChunkBytes, spikeBytes - held)];
            Pages.Fill(chunk, spike.Count);
            spike.Add(chunk);
            AddManaged(chunk.Length);
        }

        return spike;
    }

    // Idle, but with the light background traffic running, so the GC still gets a chance to act.
    private async Task<bool> IdleUntilAsync(Stopwatch clock, TimeSpan until, CancellationToken cancellationToken)
    {
        while (clock.Elapsed < until)
        {
            if (!await NextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                return false;
            }

            _traffic.Pump();
        }

        return !cancellationToken.IsCancellationRequested;
    }
}
