namespace MemLens.Demo.Scenarios;

/// <summary>
/// A quiescent process: a fixed, touched live set allocated before "ready", then no work at all.
/// Tests compare MemLens's figures with ps and smem on it, which needs numbers that hold still.
/// </summary>
internal sealed class IdleScenario(long liveBytes) : ScenarioBase("idle")
{
    public const long DefaultLiveMiB = 32;

    private const int ChunkBytes = 1024 * 1024;

    private readonly List<byte[]> _live = [];

    public override void Prepare()
    {
        for (long held = 0; held < liveBytes; held += ChunkBytes)
        {
            var chunk = new byte[(int)Math.Min(ChunkBytes, liveBytes - held)];
            Pages.Fill(chunk, _live.Count);
            _live.Add(chunk);
            AddManaged(chunk.Length);
        }

        // One GC now, so that the runtime's figures (heap size, generation sizes) describe the live
        // set as it will stay, rather than whatever GC happened half-way through building it.
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        SetPhase("idle");
    }

    public override Task RunAsync(CancellationToken cancellationToken) => WaitForStopAsync(cancellationToken);
}
