namespace MemLens.Procfs;

/// <summary>
/// Parses <c>/proc/&lt;pid&gt;/statm</c> ("size resident shared text lib data dt", in pages) without
/// allocating. Reads fields left to right and stops at the first one it cannot parse, so a garbled
/// tail leaves the later fields absent. A line without its final newline is taken as truncated and
/// gives nothing. Never throws.
/// </summary>
public static class ProcStatmParser
{
    /// <summary>Parses statm content, converting pages to bytes with <paramref name="pageSize"/>.</summary>
    public static ProcStatm Parse(ReadOnlySpan<byte> content, long pageSize)
    {
        var statm = default(ProcStatm);
        if (pageSize <= 0 || !ProcText.NextLine(ref content, out var line))
        {
            return statm;
        }

        long maxPages = long.MaxValue / pageSize;
        for (int i = 0; i < 7 && ProcText.NextToken(ref line, out var token); i++)
        {
            if (!ProcText.TryParseDecimal(token, out long pages) || pages > maxPages)
            {
                break;
            }

            long bytes = pages * pageSize;
            switch (i)
            {
                case 0: statm.Size = bytes; break;
                case 1: statm.Resident = bytes; break;
                case 2: statm.Shared = bytes; break;
                case 3: statm.Text = bytes; break;
                case 4: statm.Lib = bytes; break;
                case 5: statm.Data = bytes; break;
                default: statm.Dirty = bytes; break;
            }

            statm.Present |= (ProcStatmFields)(1 << i);
        }

        return statm;
    }

    /// <summary>Parses statm content with this machine's page size.</summary>
    public static ProcStatm Parse(ReadOnlySpan<byte> content) => Parse(content, Environment.SystemPageSize);
}
