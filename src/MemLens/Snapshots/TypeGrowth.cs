namespace MemLens.Snapshots;

/// <summary>How one type changed between two snapshots. A type missing from one side counts 0 there.</summary>
public readonly record struct TypeGrowth(string Name, long CountBefore, long CountAfter, long BytesBefore, long BytesAfter)
{
    /// <summary>Bytes the type's instances retained in the first snapshot (see <see cref="HeapRetention.RetainedBytesByType"/>); null when it has no retention data.</summary>
    public long? RetainedBefore { get; init; }

    /// <summary>Bytes the type's instances retained in the second snapshot; null when it has no retention data.</summary>
    public long? RetainedAfter { get; init; }

    /// <summary>Retained bytes added, counting a side without retention data as 0; null when neither side has it.</summary>
    public long? RetainedDelta => RetainedBefore is null && RetainedAfter is null ? null : (RetainedAfter ?? 0) - (RetainedBefore ?? 0);

    /// <summary>The holder whose share of this type grew most (<see cref="HeldByIndex"/>); null without retention data.</summary>
    public HeldBy? HeldBy { get; init; }

    public long CountDelta => CountAfter - CountBefore;

    public long BytesDelta => BytesAfter - BytesBefore;
}
