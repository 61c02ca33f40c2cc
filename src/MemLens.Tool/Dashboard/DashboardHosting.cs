using System.Net.Sockets;
using MemLens.AspNetCore;
using Microsoft.AspNetCore.Connections;

namespace MemLens.Tool.Dashboard;

/// <summary>Starting and stopping the tool's dashboard server the same way for every verb that serves one.</summary>
internal static class DashboardHosting
{
    // Long enough for Kestrel to finish the requests in flight; the live streams end before, with the monitor.
    private static readonly TimeSpan s_stopTimeout = TimeSpan.FromSeconds(2);

    /// <summary>Serves <paramref name="monitor"/>'s dashboard, or says in one line on stderr why it cannot listen and returns null.</summary>
    public static async Task<MemLensServer?> TryStartAsync(MemLensMonitor monitor, DashboardSettings settings)
    {
        try
        {
            return MemLensServer.Start(monitor, new MemLensServerOptions
            {
                Address = settings.Address,
                Port = settings.Port,
                AccessToken = settings.Token,
            });
        }
        catch (Exception ex) when (ex is IOException or SocketException)
        {
            // Kestrel wraps a busy port in an IOException but lets other bind errors (an address this machine
            // does not have) through as they are.
            await Console.Error.WriteLineAsync("memlens: " + BindFailure(settings, ex)).ConfigureAwait(false);
            return null;
        }
    }

    /// <summary>Disposes the monitor, then the server (waiting a little for requests in flight).</summary>
    public static async Task StopAsync(MemLensMonitor monitor, MemLensServer? server)
    {
        // The monitor first: disposing it ends the live streams, which Kestrel would otherwise wait for.
        monitor.Dispose();
        if (server is not null)
        {
            try
            {
                await server.DisposeAsync().AsTask().WaitAsync(s_stopTimeout, CancellationToken.None).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                // A request still running; the process is about to end anyway.
            }
        }
    }

    /// <summary>One line for a dashboard (or <paramref name="what"/>) that could not listen: a busy port says which and what to do.</summary>
    internal static string BindFailure(DashboardSettings settings, Exception ex, string portOption = "--port", string what = "the dashboard")
    {
        bool inUse = ex is SocketException { SocketErrorCode: SocketError.AddressAlreadyInUse }
                     || ex.InnerException is AddressInUseException
                     || ex.InnerException is SocketException { SocketErrorCode: SocketError.AddressAlreadyInUse };
        if (inUse)
        {
            return $"port {settings.Port} on {settings.Address} is already in use; choose another with {portOption}, or {portOption} 0 for a free one.";
        }

        string why = ex.InnerException?.Message ?? ex.Message;
        return $"cannot serve {what} on {settings.Endpoint}: {why.Split('\n')[0].Trim()}";
    }
}
