namespace MemLens.Demo.Scenarios;

/// <summary>
/// Makes memory resident. Fresh pages from the kernel cost nothing in RSS until written, so a
/// scenario that only allocated would show growth in VSZ but not in RSS, which is not what it claims.
/// </summary>
internal static class Pages
{
    /// <summary>Writes a non-zero pattern over the whole managed buffer.</summary>
    public static void Fill(byte[] buffer, int seed) => Fill(buffer.AsSpan(), seed);

    /// <summary>Writes a non-zero pattern over a span (e.g. an inline array inside an object).</summary>
    public static void Fill(Span<byte> buffer, int seed) => buffer.Fill((byte)(seed | 1));

    /// <summary>Writes one byte in every page of a native block: enough to fault each page in.</summary>
    public static unsafe void Touch(byte* block, nuint length)
    {
        var page = (nuint)Environment.SystemPageSize;
        for (nuint offset = 0; offset < length; offset += page)
        {
            block[offset] = 0xA5;
        }

        if (length > 0)
        {
            block[length - 1] = 0xA5;
        }
    }
}
