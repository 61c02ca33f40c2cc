using System.Globalization;

namespace MemLens.Formatting;

/// <summary>Durations as people type and read them: <c>500ms</c>, <c>30s</c>, <c>5m</c>, <c>1h30m</c>, <c>2</c> (seconds).</summary>
public static class Durations
{
    /// <summary>Parses a duration; false for anything else (negative, unknown unit, absurdly long).</summary>
    public static bool TryParse(string? text, out TimeSpan value)
    {
        value = TimeSpan.Zero;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var s = text.Trim().ToLowerInvariant();
        if (double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double plainSeconds))
        {
            if (plainSeconds < 0 || double.IsNaN(plainSeconds) || plainSeconds > TimeSpan.MaxValue.TotalSeconds / 2)
            {
                return false;
            }

            value = TimeSpan.FromSeconds(plainSeconds);
            return true;
        }

        int i = 0;
        double totalMs = 0;
        while (i < s.Length)
        {
            int start = i;
            while (i < s.Length && (char.IsAsciiDigit(s[i]) || s[i] == '.'))
            {
                i++;
            }

            if (start == i || !double.TryParse(s.AsSpan(start, i - start), NumberStyles.Float, CultureInfo.InvariantCulture, out double n))
            {
                return false;
            }

            int unitStart = i;
            while (i < s.Length && char.IsAsciiLetter(s[i]))
            {
                i++;
            }

            double factor = s.AsSpan(unitStart, i - unitStart) switch
            {
                "ms" => 1,
                "s" => 1000,
                "m" => 60_000,
                "h" => 3_600_000,
                "d" => 86_400_000,
                _ => double.NaN,
            };
            if (double.IsNaN(factor))
            {
                return false;
            }

            totalMs += n * factor;
        }

        if (totalMs > TimeSpan.MaxValue.TotalMilliseconds / 2)
        {
            return false;
        }

        value = TimeSpan.FromMilliseconds(totalMs);
        return true;
    }

    /// <summary>Formats a duration compactly: <c>3d 4h</c>, <c>5m 03s</c>, <c>12.5s</c>.</summary>
    public static string Format(TimeSpan d)
    {
        if (d.TotalDays >= 1)
        {
            return string.Create(CultureInfo.InvariantCulture, $"{(int)d.TotalDays}d {d.Hours}h");
        }

        if (d.TotalHours >= 1)
        {
            return string.Create(CultureInfo.InvariantCulture, $"{(int)d.TotalHours}h {d.Minutes:00}m");
        }

        if (d.TotalMinutes >= 1)
        {
            return string.Create(CultureInfo.InvariantCulture, $"{(int)d.TotalMinutes}m {d.Seconds:00}s");
        }

        return string.Create(CultureInfo.InvariantCulture, $"{d.TotalSeconds:0.#}s");
    }
}
