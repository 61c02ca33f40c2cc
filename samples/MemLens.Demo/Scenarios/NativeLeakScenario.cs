using System.Runtime.InteropServices;

namespace MemLens.Demo.Scenarios;

/// <summary>
/// A leak the GC cannot see: blocks from the C allocator (NativeMemory.Alloc, i.e. malloc) that are
/// never freed, every page written so it is resident. RSS rises at about --rate MiB/s while the GC
/// heap stays flat — the signature MemLens's doctor reads as "native, not managed". Capped at --max-mb.
/// </summary>
internal sealed class NativeLeakScenario(double bytesPerSecond, long maxBytes, double trafficBytesPerSecond)
    : ScenarioBase("native-leak")
{
    public const double DefaultRateMiB = 2;

    // Below glibc's default mmap threshold (128 KiB), so the blocks come from the malloc heap like
    // most real native leaks rather than from one mmap each.
    private const int BlockBytes = 64 * 1024;

    private readonly RatePacer _pacer = new(bytesPerSecond);
    private readonly BackgroundTraffic _traffic = new(trafficBytesPerSecond);

    // Kept only so the addresses are not "lost" in a debugger's eyes; nothing ever frees them.
    private readonly List<nint> _blocks = [];

    public override async Task RunAsync(CancellationToken cancellationToken)
    {
        SetPhase("growing");
        while (await NextTickAsync(cancellationToken).ConfigureAwait(false))
        {
            _traffic.Pump();
            if (NativeBytesHeld >= maxBytes)
            {
                continue;
            }

            for (var due = _pacer.Due(); due >= BlockBytes && NativeBytesHeld < maxBytes; due -= BlockBytes)
            {
                _blocks.Add(LeakOneBlock());
                AddNative(BlockBytes);
                _pacer.Done(BlockBytes);
            }

            if (NativeBytesHeld >= maxBytes && Phase != "capped")
            {
                SetPhase("capped");
                Say($"reached --max-mb ({maxBytes / (1024 * 1024)} MiB in {_blocks.Count} blocks); no longer growing");
            }
        }
    }

    private static unsafe nint LeakOneBlock()
    {
        var block = (byte*)NativeMemory.Alloc(BlockBytes);
        Pages.Touch(block, BlockBytes);
        return (nint)block;
    }
}
