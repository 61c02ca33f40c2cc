namespace MemLens.Storage;

/// <summary>
/// The layout of a compressed raw chunk, shared by <see cref="ChunkEncoder"/> and <see cref="ChunkIterator"/>.
/// The first point is kept in the chunk's header fields; every later point is written as
/// <list type="number">
/// <item>the timestamp's delta-of-delta (ms): <c>0</c> → 0; <c>10</c>+5 bits → [−16, 15];
/// <c>110</c>+9 bits → [−256, 255]; <c>1110</c>+16 bits → [−32768, 32767]; <c>1111</c>+64 bits → anything.
/// The first bucket is sized for a 1 Hz sampler's jitter of a few ms, which is the common case.</item>
/// <item>the value XOR the previous value (IEEE-754 bits): <c>0</c> → same value; <c>10</c> + the meaningful
/// bits inside the previous window; <c>11</c> + 5 bits leading zeros + 6 bits length (0 means 64) + the bits.</item>
/// </list>
/// This is the Gorilla scheme (Pelkonen et al., VLDB 2015) with timestamp buckets tuned for milliseconds.
/// </summary>
internal static class ChunkFormat
{
    /// <summary>Largest encoding of one point: 4 + 64 bits of timestamp, 2 + 5 + 6 + 64 bits of value.</summary>
    public const int MaxBitsPerPoint = 68 + 77;

    /// <summary>Leading zeros are stored in 5 bits; larger counts are stored as 31 (the window just widens).</summary>
    public const int MaxLeadingZeros = 31;

    /// <summary>Control bits (2) + 5 + 6 bits that a new window costs over reusing the previous one.</summary>
    public const int NewWindowOverheadBits = 11;
}
