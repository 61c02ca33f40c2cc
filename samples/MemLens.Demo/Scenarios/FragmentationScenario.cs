using System.Runtime.InteropServices;

namespace MemLens.Demo.Scenarios;

/// <summary>
/// A heap with holes the GC cannot close. Three kinds of allocation, interleaved:
/// large arrays (LOH, not compacted by default), arrays allocated pinned (POH, never compacted),
/// and small buffers pinned with a GCHandle among small garbage (a compacting GC has to leave
/// them, and the gaps around them, where they are). Every other array of each kind is dropped at
/// once, sizes vary so later arrays only partly fit the holes, and the oldest kept arrays are
/// dropped once half of --max-mb is held — half, because the holes between them take about as
/// much again, and it is the heap with its holes that should stay near the cap. The GC reports the holes as fragmented bytes; committed memory
/// and RSS stay well above the live heap.
/// </summary>
internal sealed class FragmentationScenario(double bytesPerSecond, long maxBytes) : ScenarioBase("fragmentation")
{
    public const double DefaultRateMiB = 16;

    // Just above the 85,000-byte LOH threshold, up to 1 MiB.
    private const int MinLargeBytes = 96 * 1024;
    private const int MaxLargeBytes = 1024 * 1024;

    private const int PinnedSmallBytes = 1024;
    private const int PinnedSlots = 1024;
    private const int SmallGarbagePerLarge = 64;

    private readonly RatePacer _pacer = new(bytesPerSecond);
    private readonly Queue<byte[]> _kept = new();
    private readonly GCHandle[] _pinned = new GCHandle[PinnedSlots];
    private long _keptBytes;
    private long _sequence;

    public override async Task RunAsync(CancellationToken cancellationToken)
    {
        SetPhase("fragmenting");
        try
        {
            while (await NextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                for (var due = _pacer.Due(); due > 0;)
                {
                    var size = AllocateLarge();
                    PinSmallAmongGarbage();
                    _pacer.Done(size);
                    due -= size;
                }

                DropOldestOverCap();
            }
        }
        finally
        {
            foreach (var handle in _pinned)
            {
                if (handle.IsAllocated)
                {
                    handle.Free();
                }
            }
        }
    }

    private int AllocateLarge()
    {
        var n = _sequence++;

        // A multiplicative hash spreads sizes over the range without a Random (reproducible runs).
        var size = MinLargeBytes + (int)((n * 2654435761L) % (MaxLargeBytes - MinLargeBytes));
        var array = n % 2 == 0 ? new byte[size] : GC.AllocateArray<byte>(size, pinned: true);
        Pages.Fill(array, (int)n);

        // n = 0,1 kept (one LOH, one POH), n = 2,3 dropped, and so on: every other one of each kind.
        if ((n / 2) % 2 == 0)
        {
            _kept.Enqueue(array);
            _keptBytes += array.Length;
            AddManaged(array.Length);
        }

        return size;
    }

    private void PinSmallAmongGarbage()
    {
        var slot = (int)(_sequence % PinnedSlots);
        for (var i = 0; i < SmallGarbagePerLarge; i++)
        {
            var garbage = new byte[256];
            garbage[0] = 1;
            GC.KeepAlive(garbage);
            if (i == SmallGarbagePerLarge / 2)
            {
                if (_pinned[slot].IsAllocated)
                {
                    _pinned[slot].Free();
                    AddManaged(-PinnedSmallBytes);
                }

                _pinned[slot] = GCHandle.Alloc(new byte[PinnedSmallBytes], GCHandleType.Pinned);
                AddManaged(PinnedSmallBytes);
            }
        }
    }

    private void DropOldestOverCap()
    {
        while (_keptBytes > maxBytes / 2 && _kept.TryDequeue(out var oldest))
        {
            _keptBytes -= oldest.Length;
            AddManaged(-oldest.Length);
        }
    }
}
