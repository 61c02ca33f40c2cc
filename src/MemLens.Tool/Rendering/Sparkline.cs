namespace MemLens.Tool.Rendering;

/// <summary>
/// A one-line trend drawn with the eight Unicode block heights. Written here because Spectre.Console
/// has bar and breakdown charts but nothing that fits in a table cell.
/// </summary>
internal static class Sparkline
{
    private const string Blocks = "▁▂▃▄▅▆▇█";

    public static string Render(ReadOnlySpan<double> values)
    {
        if (values.IsEmpty)
        {
            return "";
        }

        double min = double.MaxValue, max = double.MinValue;
        foreach (double v in values)
        {
            if (double.IsFinite(v))
            {
                min = Math.Min(min, v);
                max = Math.Max(max, v);
            }
        }

        var chars = new char[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            double v = values[i];
            if (!double.IsFinite(v) || min > max)
            {
                chars[i] = ' ';
                continue;
            }

            // A flat line sits at the bottom so that any later rise is visible.
            int level = max > min ? (int)Math.Round((v - min) / (max - min) * (Blocks.Length - 1)) : 0;
            chars[i] = Blocks[Math.Clamp(level, 0, Blocks.Length - 1)];
        }

        return new string(chars);
    }
}
