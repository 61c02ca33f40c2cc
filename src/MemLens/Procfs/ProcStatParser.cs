using System.Buffers.Text;

namespace MemLens.Procfs;

/// <summary>Allocation-free parsers for <c>/proc/&lt;pid&gt;/stat</c> and <c>/proc/uptime</c>, for process uptime.</summary>
public static class ProcStatParser
{
    /// <summary>
    /// Reads field 22, <c>starttime</c> (clock ticks after boot), from /proc/&lt;pid&gt;/stat. The command
    /// name (field 2) is in parentheses and may itself hold spaces and ')' characters, so fields are
    /// counted from the last ')'.
    /// </summary>
    public static bool TryParseStartTime(ReadOnlySpan<byte> content, out long startTicks)
    {
        startTicks = 0;
        int close = content.LastIndexOf((byte)')');
        if (close < 0)
        {
            return false;
        }

        var rest = content[(close + 1)..];
        int newline = rest.IndexOf((byte)'\n');
        if (newline < 0)
        {
            return false; // cut short: field 22 may be incomplete
        }

        rest = rest[..newline];

        // After ')': field 3 (state) is the first token, so starttime is the 20th.
        for (int field = 3; ProcText.NextToken(ref rest, out var token); field++)
        {
            if (field == 22)
            {
                return ProcText.TryParseDecimal(token, out startTicks);
            }
        }

        return false;
    }

    /// <summary>
    /// Reads field 3, the state letter (<c>R</c>, <c>S</c>, <c>Z</c> for a zombie …), and field 4, the parent's pid,
    /// from /proc/&lt;pid&gt;/stat, counting from the last ')' as <see cref="TryParseStartTime"/> does.
    /// </summary>
    public static bool TryParseStateAndParent(ReadOnlySpan<byte> content, out char state, out int parentPid)
    {
        state = '\0';
        parentPid = 0;
        int close = content.LastIndexOf((byte)')');
        if (close < 0)
        {
            return false;
        }

        var rest = content[(close + 1)..];
        if (!ProcText.NextToken(ref rest, out var stateToken) || stateToken.Length != 1
            || !ProcText.NextToken(ref rest, out var parentToken) || !ProcText.TryParseDecimal(parentToken, out long parent))
        {
            return false;
        }

        state = (char)stateToken[0];
        parentPid = (int)parent;
        return true;
    }

    /// <summary>Reads <see cref="TryParseStateAndParent"/> from /proc/&lt;pid&gt;/stat; false when the process is gone or unreadable.</summary>
    public static bool TryReadStateAndParent(int processId, out char state, out int parentPid)
    {
        state = '\0';
        parentPid = 0;
        try
        {
            return TryParseStateAndParent(File.ReadAllBytes($"/proc/{processId.ToString(System.Globalization.CultureInfo.InvariantCulture)}/stat"), out state, out parentPid);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>Reads <see cref="TryParseStartTime"/> from /proc/&lt;pid&gt;/stat; false when the process is gone or unreadable.</summary>
    public static bool TryReadStartTime(int processId, out long startTicks)
    {
        startTicks = 0;
        try
        {
            return TryParseStartTime(File.ReadAllBytes($"/proc/{processId.ToString(System.Globalization.CultureInfo.InvariantCulture)}/stat"), out startTicks);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>Reads the first number of /proc/uptime: seconds since boot, e.g. "408.80 756.15".</summary>
    public static bool TryParseUptime(ReadOnlySpan<byte> content, out double seconds)
    {
        seconds = 0;
        if (!ProcText.NextLine(ref content, out var line) || !ProcText.NextToken(ref line, out var token))
        {
            return false;
        }

        return Utf8Parser.TryParse(token, out seconds, out int consumed) && consumed == token.Length
            && double.IsFinite(seconds) && seconds >= 0;
    }
}
