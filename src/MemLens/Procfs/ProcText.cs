namespace MemLens.Procfs;

/// <summary>
/// Byte-level helpers shared by the /proc and cgroup parsers.
/// </summary>
/// <remarks>
/// The parsers are hand-written over <see cref="ReadOnlySpan{T}"/> of bytes because no library parses
/// /proc without allocating strings, and the budget for one sample is a few microseconds with zero
/// bytes allocated. Every helper is total: garbage in gives "not parsed", never an exception.
/// </remarks>
internal static class ProcText
{
    /// <summary>
    /// Takes the next complete line (without its '\n') off <paramref name="rest"/>. A final line without
    /// a newline is treated as truncated and dropped: the kernel ends every line with '\n', so a value
    /// on an unterminated line may be cut short ("1700 kB" read as "17").
    /// </summary>
    public static bool NextLine(scoped ref ReadOnlySpan<byte> rest, out ReadOnlySpan<byte> line)
    {
        int newline = rest.IndexOf((byte)'\n');
        if (newline < 0)
        {
            line = default;
            rest = default;
            return false;
        }

        line = rest[..newline];
        rest = rest[(newline + 1)..];
        return true;
    }

    /// <summary>Splits "Key:   value" at the first ':'; false when there is no ':'.</summary>
    public static bool SplitKey(ReadOnlySpan<byte> line, out ReadOnlySpan<byte> key, out ReadOnlySpan<byte> value)
    {
        int colon = line.IndexOf((byte)':');
        if (colon <= 0)
        {
            key = default;
            value = default;
            return false;
        }

        key = line[..colon];
        value = line[(colon + 1)..];
        return true;
    }

    /// <summary>Removes spaces and tabs at both ends.</summary>
    public static ReadOnlySpan<byte> Trim(ReadOnlySpan<byte> s)
    {
        int start = 0;
        while (start < s.Length && IsBlank(s[start]))
        {
            start++;
        }

        int end = s.Length;
        while (end > start && IsBlank(s[end - 1]))
        {
            end--;
        }

        return s[start..end];
    }

    /// <summary>
    /// Parses a non-negative decimal made only of digits (no sign, no blanks), up to <see cref="long.MaxValue"/>.
    /// </summary>
    public static bool TryParseDecimal(ReadOnlySpan<byte> s, out long value)
    {
        value = 0;
        if (s.IsEmpty || s.Length > 19)
        {
            return false;
        }

        ulong acc = 0;
        foreach (byte b in s)
        {
            uint digit = (uint)(b - '0');
            if (digit > 9)
            {
                return false;
            }

            acc = (acc * 10) + digit; // 19 digits cannot overflow ulong
        }

        if (acc > long.MaxValue)
        {
            return false;
        }

        value = (long)acc;
        return true;
    }

    /// <summary>Parses "  1700 kB" into bytes (1700 × 1024). The unit must be "kB".</summary>
    public static bool TryParseKibibytes(ReadOnlySpan<byte> field, out long bytes)
    {
        bytes = 0;
        field = Trim(field);
        if (field.Length < 3 || !field.EndsWith(" kB"u8))
        {
            return false;
        }

        if (!TryParseDecimal(Trim(field[..^3]), out long kib) || kib > long.MaxValue / 1024)
        {
            return false;
        }

        bytes = kib * 1024;
        return true;
    }

    /// <summary>Parses a plain count such as "  12".</summary>
    public static bool TryParseCount(ReadOnlySpan<byte> field, out long count) => TryParseDecimal(Trim(field), out count);

    /// <summary>Takes the next blank-separated token off <paramref name="rest"/>; false when none is left.</summary>
    public static bool NextToken(scoped ref ReadOnlySpan<byte> rest, out ReadOnlySpan<byte> token)
    {
        int start = 0;
        while (start < rest.Length && IsBlank(rest[start]))
        {
            start++;
        }

        int end = start;
        while (end < rest.Length && !IsBlank(rest[end]))
        {
            end++;
        }

        token = rest[start..end];
        rest = rest[end..];
        return !token.IsEmpty;
    }

    /// <summary>Finds the value of the first complete "Key:" line, trimmed; for one-off lookups such as Name.</summary>
    public static bool TryFindField(ReadOnlySpan<byte> data, ReadOnlySpan<byte> wantedKey, out ReadOnlySpan<byte> value)
    {
        while (NextLine(ref data, out var line))
        {
            if (SplitKey(line, out var key, out var rest) && key.SequenceEqual(wantedKey))
            {
                value = Trim(rest);
                return true;
            }
        }

        value = default;
        return false;
    }

    private static bool IsBlank(byte b) => b == (byte)' ' || b == (byte)'\t';
}
