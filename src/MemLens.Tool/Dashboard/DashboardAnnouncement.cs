using MemLens.Formatting;

namespace MemLens.Tool.Dashboard;

/// <summary>
/// What the user reads when the dashboard is up: on stdout what is watched, the URL and the token (for people
/// and scripts alike); on stderr the network warning, the browser and how to stop.
/// </summary>
internal static class DashboardAnnouncement
{
    /// <param name="metrics">A Prometheus scrape URL served beside the dashboard, printed when given.</param>
    public static void Print(string watching, Uri browserUrl, DashboardSettings settings, Uri? metrics = null)
    {
        ArgumentNullException.ThrowIfNull(browserUrl);
        ArgumentNullException.ThrowIfNull(settings);
        // What is watched is named by the process or by a recording's facts: shown with its control characters escaped.
        Console.Out.WriteLine($"Watching:     {TerminalText.Sanitize(watching)}");
        Console.Out.WriteLine($"Dashboard:    {browserUrl.AbsoluteUri}");
        if (metrics is not null)
        {
            Console.Out.WriteLine($"Prometheus:   {metrics.AbsoluteUri}");
        }
        if (settings.Token is { } token)
        {
            Console.Out.WriteLine($"Access token: {token}");
        }

        if (!settings.IsLocal)
        {
            Console.Error.WriteLine(
                $"memlens: warning: the dashboard listens on {settings.Address}, so it is reachable from the network over plain HTTP; " +
                $"its API answers only to the access token{(settings.TokenGenerated ? " generated for this run" : "")}. " +
                "Give the URL only to people who may see this process's memory.");
        }

        Console.Error.WriteLine("memlens: " + (settings.OpenBrowser ? BrowserLauncher.TryOpen(browserUrl) : "open the URL in a browser."));
        Console.Error.WriteLine("memlens: Ctrl+C stops.");
    }
}
