using System.Globalization;

namespace MemLens.Demo;

/// <summary>Parses durations as people type them: <c>1500ms</c>, <c>30s</c>, <c>5m</c>, <c>1h</c>, or bare seconds.</summary>
internal static class DurationText
{
    public static bool TryParse(string text, out TimeSpan duration)
    {
        duration = default;
        var (digits, unitSeconds) = SplitUnit(text.Trim());
        if (unitSeconds == 0
            || !double.TryParse(digits, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value)
            || value <= 0)
        {
            return false;
        }

        var seconds = value * unitSeconds;
        // TimeSpan.FromSeconds throws past ~29 000 years; anything that long is a typo.
        if (seconds > TimeSpan.FromDays(3650).TotalSeconds)
        {
            return false;
        }

        duration = TimeSpan.FromSeconds(seconds);
        return true;
    }

    // "ms" must be tested before "m" and "s", since both are its suffixes.
    private static (string Digits, double UnitSeconds) SplitUnit(string text)
    {
        if (text.EndsWith("ms", StringComparison.OrdinalIgnoreCase))
        {
            return (text[..^2], 0.001);
        }

        if (text.Length == 0)
        {
            return (text, 0);
        }

        return char.ToLowerInvariant(text[^1]) switch
        {
            's' => (text[..^1], 1),
            'm' => (text[..^1], 60),
            'h' => (text[..^1], 3600),
            _ when char.IsAsciiDigit(text[^1]) => (text, 1),
            _ => (text, 0),
        };
    }
}
