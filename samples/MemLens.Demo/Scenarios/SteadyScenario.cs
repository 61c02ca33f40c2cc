using System.Globalization;

namespace MemLens.Demo.Scenarios;

/// <summary>
/// A healthy service: lots of short-lived garbage (buffers, strings, small objects) at a fixed rate
/// over a small live set that is replaced slowly. Gen0 GCs are frequent, the heap saw-tooths in a
/// narrow band, and RSS stays flat — the baseline the other scenarios are compared with.
/// </summary>
internal sealed class SteadyScenario(double bytesPerSecond) : ScenarioBase("steady")
{
    public const double DefaultRateMiB = 32;

    // 2048 slots of up to 4 KiB: a live set of about 4 MiB. One allocation in 32 replaces a slot,
    // so those objects live a few seconds, reach gen1/gen2 and let the GC do some older-generation work too.
    private const int LiveSlots = 2048;
    private const int KeepOneIn = 32;

    private readonly byte[]?[] _live = new byte[]?[LiveSlots];
    private readonly RatePacer _pacer = new(bytesPerSecond);
    private long _sequence;

    public override async Task RunAsync(CancellationToken cancellationToken)
    {
        SetPhase("running");
        while (await NextTickAsync(cancellationToken).ConfigureAwait(false))
        {
            var due = _pacer.Due();
            while (due > 0)
            {
                var size = AllocateOne();
                _pacer.Done(size);
                due -= size;
            }
        }
    }

    /// <summary>Allocates one piece of request-like garbage; returns its approximate size.</summary>
    private int AllocateOne()
    {
        var n = ++_sequence;
        switch (n % 8)
        {
            case 6:
                // Strings built from numbers: what formatting a response does.
                var text = string.Concat("order-", n.ToString(CultureInfo.InvariantCulture), "-", (n * 31).ToString("x", CultureInfo.InvariantCulture));
                GC.KeepAlive(text);
                return 24 + (text.Length * 2);
            case 7:
                var list = new List<long>(16);
                for (var i = 0; i < 16; i++)
                {
                    list.Add(n + i);
                }

                GC.KeepAlive(list);
                return 32 + 24 + (16 * 8);
            default:
                var buffer = new byte[64 + (int)((n * 2654435761) % 4032)];
                buffer[0] = (byte)n;
                buffer[^1] = (byte)n;
                if (n % KeepOneIn == 0)
                {
                    Keep(buffer, (int)((n / KeepOneIn) % LiveSlots));
                }

                return 24 + buffer.Length;
        }
    }

    private void Keep(byte[] buffer, int slot)
    {
        var old = _live[slot];
        _live[slot] = buffer;
        AddManaged(buffer.Length - (old?.Length ?? 0));
    }
}
