using MemLens.AspNetCore;
using MemLens.Tool.Cli;

namespace MemLens.Tool.Dashboard;

/// <summary>
/// Serves the dashboard over a store that is not a process being watched now (a trace replay, a recording) until
/// Ctrl+C or --duration: the page, its announcement, and an optional status line. Shared by trace and open.
/// </summary>
internal static class StoreDashboard
{
    /// <param name="started">Runs once the page is served (e.g. starts reading standard input).</param>
    /// <param name="wholeRange">Opens the page on the store's whole range (#range=all) rather than the last hour.</param>
    public static async Task<int> ServeAsync(MemLensMonitor monitor, string watching, DashboardSettings settings, TimeSpan? duration,
        CancellationToken ct, Func<Task> started, Func<string>? statusText, bool wholeRange = false)
    {
        MemLensServer? server = null;
        try
        {
            server = await DashboardHosting.TryStartAsync(monitor, settings).ConfigureAwait(false);
            if (server is null)
            {
                return ExitCodes.Error;
            }

            // A replay opens on its whole range rather than the last hour.
            var url = wholeRange ? new Uri(server.BrowserUrl.AbsoluteUri + (server.BrowserUrl.Fragment.Length > 0 ? "&" : "#") + "range=all") : server.BrowserUrl;
            DashboardAnnouncement.Print(watching, url, settings);
            await started().ConfigureAwait(false);
            var status = new StatusLine();
            await DashboardLifetime.WaitAsync(Task.Delay(Timeout.Infinite, CancellationToken.None), duration,
                statusText is null ? null : () => status.Show(statusText()), ct).ConfigureAwait(false);
            status.Clear();
            return ExitCodes.Ok;
        }
        finally
        {
            await DashboardHosting.StopAsync(monitor, server).ConfigureAwait(false);
        }
    }
}
