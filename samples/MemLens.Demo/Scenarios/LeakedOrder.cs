namespace MemLens.Demo.Scenarios;

/// <summary>
/// The object the leak scenario never lets go of. It has its own, unmistakable type name so that
/// a heap-snapshot diff of the leak scenario names it (and its byte[] payloads) as the top grower,
/// reachable from the static list in <see cref="LeakScenario"/>.
/// </summary>
internal sealed class LeakedOrder(long id, string customer, decimal amount, byte[] payload)
{
    public long Id { get; } = id;

    public DateTime CreatedUtc { get; } = DateTime.UtcNow;

    public string Customer { get; } = customer;

    public decimal Amount { get; } = amount;

    public byte[] Payload { get; } = payload;
}
