namespace MemLens.Procfs;

/// <summary>What a single-value cgroup file such as memory.max held.</summary>
public enum CgroupValueKind
{
    /// <summary>Empty, cut short or not a number.</summary>
    Invalid,

    /// <summary>A number of bytes.</summary>
    Number,

    /// <summary>The word "max": no limit.</summary>
    Max,
}

/// <summary>
/// Allocation-free parsers for cgroup memory files: memory.stat ("key value" lines, bytes) and
/// single-value files (memory.current, memory.max, memory.usage_in_bytes, memory.limit_in_bytes).
/// Never throw; unknown or garbled lines are skipped, first occurrence of a key wins.
/// </summary>
public static class CgroupParsers
{
    /// <summary>
    /// cgroup v1 has no word for "no limit": it prints the largest page-aligned counter value
    /// (9223372036854771712 on 64-bit with 4 KiB pages). Anything from 2^60 (1 EiB) up is taken as unlimited.
    /// </summary>
    public const long UnlimitedThreshold = 1L << 60;

    /// <summary>Parses a memory.stat file of either version.</summary>
    public static CgroupMemoryStat ParseMemoryStat(ReadOnlySpan<byte> content)
    {
        var stat = default(CgroupMemoryStat);
        while (ProcText.NextLine(ref content, out var line))
        {
            var rest = line;
            if (!ProcText.NextToken(ref rest, out var key) || !ProcText.NextToken(ref rest, out var number)
                || !ProcText.Trim(rest).IsEmpty)
            {
                continue;
            }

            var field = key.Length switch
            {
                4 when key.SequenceEqual("anon"u8) => CgroupMemoryStatFields.Anon,
                4 when key.SequenceEqual("file"u8) => CgroupMemoryStatFields.File,
                9 when key.SequenceEqual("total_rss"u8) => CgroupMemoryStatFields.TotalRss,
                11 when key.SequenceEqual("total_cache"u8) => CgroupMemoryStatFields.TotalCache,
                25 when key.SequenceEqual("hierarchical_memory_limit"u8) => CgroupMemoryStatFields.HierarchicalMemoryLimit,
                _ => CgroupMemoryStatFields.None,
            };
            if (field == CgroupMemoryStatFields.None || stat.Has(field) || !ProcText.TryParseDecimal(number, out long value))
            {
                continue;
            }

            stat.Present |= field;
            switch (field)
            {
                case CgroupMemoryStatFields.Anon: stat.Anon = value; break;
                case CgroupMemoryStatFields.File: stat.File = value; break;
                case CgroupMemoryStatFields.TotalRss: stat.TotalRss = value; break;
                case CgroupMemoryStatFields.TotalCache: stat.TotalCache = value; break;
                default: stat.HierarchicalMemoryLimit = value; break;
            }
        }

        return stat;
    }

    /// <summary>Parses a one-line value file: a number of bytes, or "max".</summary>
    public static CgroupValueKind ParseValue(ReadOnlySpan<byte> content, out long value)
    {
        value = 0;
        if (!ProcText.NextLine(ref content, out var line))
        {
            return CgroupValueKind.Invalid;
        }

        line = ProcText.Trim(line);
        if (line.SequenceEqual("max"u8))
        {
            return CgroupValueKind.Max;
        }

        return ProcText.TryParseDecimal(line, out value) ? CgroupValueKind.Number : CgroupValueKind.Invalid;
    }

    /// <summary>A limit, or false when the file says there is none ("max", or ≥ <see cref="UnlimitedThreshold"/>) or is unreadable.</summary>
    public static bool TryParseLimit(ReadOnlySpan<byte> content, out long limit) =>
        ParseValue(content, out limit) == CgroupValueKind.Number && limit < UnlimitedThreshold;
}
