namespace MemLens.Snapshots;

/// <summary>How one type changed between two snapshots. A type missing from one side counts 0 there.</summary>
public readonly record struct TypeGrowth(string Name, long CountBefore, long CountAfter, long BytesBefore, long BytesAfter)
{
    public long CountDelta => CountAfter - CountBefore;

    public long BytesDelta => BytesAfter - BytesBefore;
}
