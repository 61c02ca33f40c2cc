using System.Globalization;
using System.Text;

namespace MemLens.Formatting;

/// <summary>
/// Text that came from a watched process (its name, command line, type names in its heap) made safe to print on
/// a terminal: a type or process name may hold ESC and other control characters, and printed raw they would
/// move the cursor, recolour or rewrite the user's screen (escape injection).
/// </summary>
public static class TerminalText
{
    /// <summary>
    /// Replaces every control character (C0, DEL, C1) and the Unicode line/paragraph separators and bidi controls
    /// with a visible escape such as <c>\x1b</c> or <c>\u202e</c>; returns the same instance when there is none.
    /// </summary>
    public static string Sanitize(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return text ?? "";
        }

        int first = -1;
        for (int i = 0; i < text.Length; i++)
        {
            if (IsUnsafe(text[i]))
            {
                first = i;
                break;
            }
        }

        if (first < 0)
        {
            return text;
        }

        var sb = new StringBuilder(text.Length + 16);
        sb.Append(text, 0, first);
        for (int i = first; i < text.Length; i++)
        {
            char c = text[i];
            if (!IsUnsafe(c))
            {
                sb.Append(c);
            }
            else if (c <= 0xFF)
            {
                sb.Append("\\x").Append(((int)c).ToString("x2", CultureInfo.InvariantCulture));
            }
            else
            {
                sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
            }
        }

        return sb.ToString();
    }

    private static bool IsUnsafe(char c) =>
        c < 0x20 || (c >= 0x7F && c <= 0x9F) // C0, DEL, C1 (0x9B is a one-byte CSI on some terminals)
        || c is '\u2028' or '\u2029' // line and paragraph separators
        || (c >= '\u202A' && c <= '\u202E') || (c >= '\u2066' && c <= '\u2069') || c is '\u200E' or '\u200F'; // bidi overrides
}
