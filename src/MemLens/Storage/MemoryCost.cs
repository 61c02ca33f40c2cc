namespace MemLens.Storage;

/// <summary>
/// Rough managed sizes on 64-bit .NET, used for the store's budget accounting. They count what the GC
/// really holds (array capacities, not lengths; object headers), so that <see cref="MetricStore.MemoryBytes"/>
/// stays close to what <see cref="GC.GetTotalMemory(bool)"/> measures — a test checks that.
/// </summary>
internal static class MemoryCost
{
    /// <summary>Object header word + method table pointer.</summary>
    public const int ObjectHeader = 16;

    /// <summary>Header + method table + length (padded) of an array.</summary>
    public const int ArrayHeader = 24;

    /// <summary>Bytes of an array of <paramref name="length"/> elements of <paramref name="elementSize"/> bytes.</summary>
    public static long Array(long length, int elementSize) => ArrayHeader + Align8(length * elementSize);

    /// <summary>Bytes of an object with <paramref name="fieldBytes"/> of fields (at least 24: the GC's minimum object).</summary>
    public static long Object(int fieldBytes) => Math.Max(24, Align8(ObjectHeader + fieldBytes));

    /// <summary>A <see cref="List{T}"/> of references: the list object and its backing array.</summary>
    public static long ReferenceList(int capacity) => Object(8 + 4 + 4 + 8) + (capacity == 0 ? 0 : Array(capacity, 8));

    private static long Align8(long bytes) => (bytes + 7) & ~7L;
}
