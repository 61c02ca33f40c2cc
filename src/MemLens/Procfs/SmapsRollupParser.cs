namespace MemLens.Procfs;

/// <summary>
/// Parses <c>/proc/&lt;pid&gt;/smaps_rollup</c> without allocating. The first line (the address range
/// and "[rollup]") and unknown, garbled or cut-short lines are skipped; if a key appears twice the
/// first wins. Never throws.
/// </summary>
public static class SmapsRollupParser
{
    /// <summary>Parses the whole content of a smaps_rollup file.</summary>
    public static SmapsRollup Parse(ReadOnlySpan<byte> content)
    {
        var rollup = default(SmapsRollup);
        while (ProcText.NextLine(ref content, out var line))
        {
            if (ProcText.SplitKey(line, out var key, out var value))
            {
                var field = FieldOf(key);
                if (field != SmapsRollupFields.None && (rollup.Present & field) == 0 && ProcText.TryParseKibibytes(value, out long bytes))
                {
                    Set(ref rollup, field, bytes);
                }
            }
        }

        return rollup;
    }

    // Length first, then the bytes: cheap rejection of the ~10 lines we do not want.
    private static SmapsRollupFields FieldOf(ReadOnlySpan<byte> key) => key.Length switch
    {
        3 => key.SequenceEqual("Rss"u8) ? SmapsRollupFields.Rss
            : key.SequenceEqual("Pss"u8) ? SmapsRollupFields.Pss : SmapsRollupFields.None,
        4 => key.SequenceEqual("Swap"u8) ? SmapsRollupFields.Swap : SmapsRollupFields.None,
        7 => key.SequenceEqual("SwapPss"u8) ? SmapsRollupFields.SwapPss : SmapsRollupFields.None,
        8 => key.SequenceEqual("Pss_Anon"u8) ? SmapsRollupFields.PssAnon
            : key.SequenceEqual("Pss_File"u8) ? SmapsRollupFields.PssFile
            : key.SequenceEqual("LazyFree"u8) ? SmapsRollupFields.LazyFree : SmapsRollupFields.None,
        9 => key.SequenceEqual("Pss_Shmem"u8) ? SmapsRollupFields.PssShmem : SmapsRollupFields.None,
        12 => key.SequenceEqual("Shared_Clean"u8) ? SmapsRollupFields.SharedClean
            : key.SequenceEqual("Shared_Dirty"u8) ? SmapsRollupFields.SharedDirty : SmapsRollupFields.None,
        13 => key.SequenceEqual("Private_Clean"u8) ? SmapsRollupFields.PrivateClean
            : key.SequenceEqual("Private_Dirty"u8) ? SmapsRollupFields.PrivateDirty
            : key.SequenceEqual("AnonHugePages"u8) ? SmapsRollupFields.AnonHugePages : SmapsRollupFields.None,
        _ => SmapsRollupFields.None,
    };

    private static void Set(ref SmapsRollup r, SmapsRollupFields field, long bytes)
    {
        r.Present |= field;
        switch (field)
        {
            case SmapsRollupFields.Rss: r.Rss = bytes; break;
            case SmapsRollupFields.Pss: r.Pss = bytes; break;
            case SmapsRollupFields.PssAnon: r.PssAnon = bytes; break;
            case SmapsRollupFields.PssFile: r.PssFile = bytes; break;
            case SmapsRollupFields.PssShmem: r.PssShmem = bytes; break;
            case SmapsRollupFields.SharedClean: r.SharedClean = bytes; break;
            case SmapsRollupFields.SharedDirty: r.SharedDirty = bytes; break;
            case SmapsRollupFields.PrivateClean: r.PrivateClean = bytes; break;
            case SmapsRollupFields.PrivateDirty: r.PrivateDirty = bytes; break;
            case SmapsRollupFields.LazyFree: r.LazyFree = bytes; break;
            case SmapsRollupFields.AnonHugePages: r.AnonHugePages = bytes; break;
            case SmapsRollupFields.Swap: r.Swap = bytes; break;
            case SmapsRollupFields.SwapPss: r.SwapPss = bytes; break;
        }
    }
}
