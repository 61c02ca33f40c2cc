using System.Globalization;

namespace MemLens.Formatting;

/// <summary>Formats byte counts for people in IEC units (KiB, MiB, GiB, TiB), unit always shown.</summary>
public static class ByteSize
{
    private static readonly string[] s_units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];

    /// <summary>E.g. 1536 → "1.5 KiB", 268435456 → "256 MiB", -4096 → "-4 KiB".</summary>
    public static string Format(double bytes)
    {
        if (double.IsNaN(bytes))
        {
            return "—";
        }

        double abs = Math.Abs(bytes);
        int unit = 0;
        while (abs >= 1024 && unit < s_units.Length - 1)
        {
            abs /= 1024;
            unit++;
        }

        string number = unit == 0 || abs >= 100 ? abs.ToString("0", CultureInfo.InvariantCulture)
            : abs >= 10 ? abs.ToString("0.#", CultureInfo.InvariantCulture)
            : abs.ToString("0.##", CultureInfo.InvariantCulture);
        return (bytes < 0 ? "-" : "") + number + " " + s_units[unit];
    }

    /// <summary>
    /// Reads a size people type: a whole or decimal number with an optional unit, IEC (KiB, MiB, GiB, TiB, and the
    /// shorthands K, M, G, T) or SI (kB/KB, MB, GB, TB: powers of 1000), case-insensitive, space allowed: "256MiB",
    /// "1.5 GiB", "512M", "100MB", "4096". False for anything else, negative numbers and sizes over long.MaxValue.
    /// </summary>
    public static bool TryParse(string? text, out long bytes)
    {
        bytes = 0;
        string s = (text ?? "").Trim();
        int split = 0;
        while (split < s.Length && (char.IsAsciiDigit(s[split]) || s[split] == '.'))
        {
            split++;
        }

        if (split == 0 || !double.TryParse(s[..split], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double number))
        {
            return false;
        }

        double multiplier = s[split..].Trim().ToUpperInvariant() switch
        {
            "" or "B" => 1,
            "K" or "KIB" => 1L << 10,
            "M" or "MIB" => 1L << 20,
            "G" or "GIB" => 1L << 30,
            "T" or "TIB" => 1L << 40,
            "KB" => 1e3,
            "MB" => 1e6,
            "GB" => 1e9,
            "TB" => 1e12,
            _ => -1,
        };
        double value = Math.Round(number * multiplier);
        if (multiplier < 0 || value >= long.MaxValue)
        {
            return false;
        }

        bytes = (long)value;
        return true;
    }

    /// <summary>Formats with a sign, for changes: "+12 MiB", "-3 KiB", "0 B".</summary>
    public static string FormatDelta(double bytes) => bytes > 0 ? "+" + Format(bytes) : Format(bytes);
}
