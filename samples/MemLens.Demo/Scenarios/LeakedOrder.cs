using System.Runtime.CompilerServices;

namespace MemLens.Demo.Scenarios;

/// <summary>
/// The object the leak scenario never lets go of, reachable from the static list in <see cref="LeakScenario"/>.
/// Its 4 KiB payload is stored inside the object itself (an inline array), not in a separate <c>byte[]</c>: a
/// heap-snapshot diff then names this type, with its own unmistakable name, as the top grower by bytes,
/// where a separate payload array would have put <c>System.Byte[]</c> first.
/// </summary>
internal sealed class LeakedOrder
{
    /// <summary>Bytes of payload each order carries inline.</summary>
    public const int PayloadBytes = OrderPayload.Length;

    private OrderPayload _payload;

    public LeakedOrder(long id, string customer, decimal amount)
    {
        Id = id;
        Customer = customer;
        Amount = amount;
        Pages.Fill(_payload, (int)id); // written, so the pages are resident as in a real order
    }

    public long Id { get; }

    public DateTime CreatedUtc { get; } = DateTime.UtcNow;

    public string Customer { get; }

    public decimal Amount { get; }

    /// <summary>The payload's first byte, so the payload is observably used.</summary>
    public byte FirstPayloadByte => _payload[0];
}

/// <summary>4 KiB stored inline in the object that holds it.</summary>
[InlineArray(Length)]
internal struct OrderPayload
{
    public const int Length = 4096;

    private byte _element0;
}
