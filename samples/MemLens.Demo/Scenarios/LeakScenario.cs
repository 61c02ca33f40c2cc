using System.Globalization;

namespace MemLens.Demo.Scenarios;

/// <summary>
/// The classic managed leak: every "order" is added to a static list (think of a cache without
/// eviction or an event handler never removed) and never removed. The GC heap and RSS rise
/// together at about --rate MiB/s and no GC brings them down. Growth stops at --max-mb so the
/// demo stays bounded.
/// </summary>
internal sealed class LeakScenario(double bytesPerSecond, long maxBytes) : ScenarioBase("leak")
{
    public const double DefaultRateMiB = 2;

    private const int PayloadBytes = LeakedOrder.PayloadBytes;

    // Object header + the other fields of LeakedOrder, the customer string and the list slot: an
    // estimate, good enough for "held" figures next to the inline payload bytes which dominate.
    private const int OverheadBytes = 128;

    // Static on purpose: a GC root that lives as long as the process, the way real leaks do.
    private static readonly List<LeakedOrder> KeptForever = [];

    private readonly RatePacer _pacer = new(bytesPerSecond);

    public override async Task RunAsync(CancellationToken cancellationToken)
    {
        SetPhase("growing");
        while (await NextTickAsync(cancellationToken).ConfigureAwait(false))
        {
            for (var due = _pacer.Due(); due > 0 && ManagedBytesHeld < maxBytes; due -= PayloadBytes + OverheadBytes)
            {
                Leak();
                _pacer.Done(PayloadBytes + OverheadBytes);
            }

            if (ManagedBytesHeld >= maxBytes)
            {
                SetPhase("capped");
                Say($"reached --max-mb ({maxBytes / (1024 * 1024)} MiB, {KeptForever.Count} orders); no longer growing");
                break;
            }
        }

        // Capped: keep the leaked objects (they are in a static list anyway) and stay alive until stopped.
        await WaitForStopAsync(cancellationToken).ConfigureAwait(false);
    }

    private void Leak()
    {
        var id = KeptForever.Count + 1L;
        var customer = "customer-" + (id % 997).ToString(CultureInfo.InvariantCulture);
        KeptForever.Add(new LeakedOrder(id, customer, id * 1.25m)); // the 4 KiB payload is inside the order
        AddManaged(PayloadBytes + OverheadBytes);
    }
}
