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

    /// <summary>Formats with a sign, for changes: "+12 MiB", "-3 KiB", "0 B".</summary>
    public static string FormatDelta(double bytes) => bytes > 0 ? "+" + Format(bytes) : Format(bytes);
}
