namespace MemLens.Storage;

/// <summary>
/// Equal-width buckets across [from, to]: width = ⌈(to − from + 1) / maxPoints⌉ ms, so there are at most
/// maxPoints of them. Unsigned arithmetic keeps any range, even [long.MinValue, long.MaxValue], exact.
/// </summary>
internal readonly struct BucketGrid
{
    private readonly long _from;
    private readonly ulong _width;

    public BucketGrid(long fromMs, long toMs, int maxPoints)
    {
        _from = fromMs;
        ulong span = unchecked((ulong)(toMs - fromMs) + 1);
        if (span == 0)
        {
            span = ulong.MaxValue; // the whole long range: one short of 2^64, close enough
        }

        _width = (span / (ulong)maxPoints) + (span % (ulong)maxPoints == 0 ? 0UL : 1UL);
        BucketCount = (int)((span / _width) + (span % _width == 0 ? 0UL : 1UL));
    }

    public int BucketCount { get; }

    public long WidthMs => (long)_width;

    public int IndexOf(long t) => (int)(unchecked((ulong)(t - _from)) / _width);

    /// <summary>Offset of <paramref name="t"/> from the grid's start.</summary>
    public ulong OffsetOf(long t) => unchecked((ulong)(t - _from));

    /// <summary>Offset where bucket <paramref name="index"/> ends (exclusive), saturating at the top of the range.</summary>
    public ulong EndOffsetOf(int index)
    {
        ulong n = (ulong)index + 1;
        return n > ulong.MaxValue / _width ? ulong.MaxValue : n * _width;
    }

    public long StartOf(int index) => unchecked(_from + (long)((ulong)index * _width));
}
