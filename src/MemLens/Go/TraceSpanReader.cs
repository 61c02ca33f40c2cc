namespace MemLens.Go;

/// <summary>
/// A forward-only cursor over one trace line. Reads literals and numbers straight from the span, so
/// parsing a line allocates nothing but the event it produces. Every method reports failure with
/// <c>false</c> and leaves the cursor where it was; nothing throws, whatever the input.
/// </summary>
internal ref struct TraceSpanReader
{
    private static readonly long[] s_pow10 = [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000];

    private ReadOnlySpan<char> _rest;

    public TraceSpanReader(ReadOnlySpan<char> text) => _rest = text;

    public readonly ReadOnlySpan<char> Rest => _rest;

    public readonly bool AtEnd => _rest.IsEmpty;

    public readonly bool StartsWithDigit => !_rest.IsEmpty && char.IsAsciiDigit(_rest[0]);

    public bool TrySkip(ReadOnlySpan<char> literal)
    {
        if (!_rest.StartsWith(literal, StringComparison.Ordinal))
        {
            return false;
        }

        _rest = _rest[literal.Length..];
        return true;
    }

    public bool TrySkip(char c)
    {
        if (_rest.IsEmpty || _rest[0] != c)
        {
            return false;
        }

        _rest = _rest[1..];
        return true;
    }

    /// <summary>Reads an unsigned decimal integer (digits only).</summary>
    public bool TryReadInteger(out long value) => TryReadFixed(0, out value);

    /// <summary>
    /// Reads <c>digits[.digits]</c> as a fixed-point number scaled by 10^<paramref name="decimals"/>
    /// (e.g. <c>1.25</c> with 3 decimals gives 1250). Decimals beyond the scale are read and truncated.
    /// Fails on no digits, a dot without digits after it, or a value that would overflow.
    /// </summary>
    public bool TryReadFixed(int decimals, out long value)
    {
        value = 0;
        ReadOnlySpan<char> s = _rest;
        int i = 0;
        long whole = 0;
        while (i < s.Length && char.IsAsciiDigit(s[i]))
        {
            int d = s[i] - '0';
            if (whole > (long.MaxValue - d) / 10)
            {
                return false;
            }

            whole = (whole * 10) + d;
            i++;
        }

        if (i == 0)
        {
            return false;
        }

        long scale = s_pow10[decimals];
        if (whole > long.MaxValue / scale)
        {
            return false;
        }

        long fraction = 0;
        if (i < s.Length && s[i] == '.')
        {
            int start = ++i;
            long place = scale;
            while (i < s.Length && char.IsAsciiDigit(s[i]))
            {
                place /= 10;
                fraction += (s[i] - '0') * place; // place reaches 0 past the scale: truncated
                i++;
            }

            if (i == start)
            {
                return false;
            }
        }

        value = (whole * scale) + fraction;
        _rest = s[i..];
        return true;
    }

    /// <summary>Takes everything up to the next <c>", "</c> (or the end) and moves past the separator.</summary>
    public ReadOnlySpan<char> ReadField()
    {
        int comma = _rest.IndexOf(", ", StringComparison.Ordinal);
        if (comma < 0)
        {
            ReadOnlySpan<char> all = _rest;
            _rest = default;
            return all;
        }

        ReadOnlySpan<char> field = _rest[..comma];
        _rest = _rest[(comma + 2)..];
        return field;
    }
}
