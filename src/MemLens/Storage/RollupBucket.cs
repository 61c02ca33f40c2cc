using System.Runtime.InteropServices;

namespace MemLens.Storage;

/// <summary>
/// Min, max, sum and count of the raw points of one series in one aligned time slot (1 min or 1 h).
/// Sum and count (rather than a mean) make merging exact and weighted means correct.
/// Packed to 36 bytes: rollups are most of the store's long-range memory.
/// </summary>
[StructLayout(LayoutKind.Sequential, Pack = 4)]
internal struct RollupBucket
{
    public long StartMs;
    public double Min;
    public double Max;
    public double Sum;
    public int Count;

    public const int Size = 36;

    public readonly double Mean => Sum / Count;

    public void Merge(double min, double max, double sum, int count)
    {
        if (min < Min)
        {
            Min = min;
        }

        if (max > Max)
        {
            Max = max;
        }

        Sum += sum;
        Count += count;
    }
}
