using System.Globalization;

namespace MemLens.Demo.Output;

/// <summary>Formats byte counts for people in IEC units (KiB, MiB, GiB), as DESIGN.md asks.</summary>
internal static class ByteSize
{
    private static readonly string[] Units = ["KiB", "MiB", "GiB", "TiB"];

    public static string Format(long bytes)
    {
        if (Math.Abs(bytes) < 1024)
        {
            return bytes.ToString(CultureInfo.InvariantCulture) + " B";
        }

        double value = bytes;
        var unit = -1;
        while (Math.Abs(value) >= 1024 && unit < Units.Length - 1)
        {
            value /= 1024;
            unit++;
        }

        return value.ToString("0.0", CultureInfo.InvariantCulture) + " " + Units[unit];
    }
}
