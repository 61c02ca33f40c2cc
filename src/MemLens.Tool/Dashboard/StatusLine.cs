using MemLens.Formatting;

namespace MemLens.Tool.Dashboard;

/// <summary>
/// One line on stderr rewritten in place while the dashboard runs, so the terminal shows the latest figures
/// without scrolling. Only on a terminal: redirected to a file or a pipe it writes nothing, since a line per
/// update is exactly the spam it exists to avoid.
/// </summary>
internal sealed class StatusLine
{
    private const string ClearToEnd = "\u001b[K";
    private readonly bool _enabled = !Console.IsErrorRedirected && Environment.GetEnvironmentVariable("TERM") is not (null or "" or "dumb");
    private bool _shown;

    public void Show(string text)
    {
        if (!_enabled)
        {
            return;
        }

        text = TerminalText.Sanitize(text); // it may quote the target's name or a trace line
        // A line longer than the terminal wraps, and a carriage return would then rewrite only its last row.
        int width = Width();
        if (text.Length >= width)
        {
            text = text[..Math.Max(0, width - 2)] + "…";
        }

        Console.Error.Write("\r" + text + ClearToEnd);
        _shown = true;
    }

    /// <summary>Removes the line, before any other output.</summary>
    public void Clear()
    {
        if (_shown)
        {
            Console.Error.Write("\r" + ClearToEnd);
            _shown = false;
        }
    }

    private static int Width()
    {
        try
        {
            return Console.WindowWidth > 10 ? Console.WindowWidth : 80;
        }
        catch (IOException)
        {
            return 80;
        }
    }
}
