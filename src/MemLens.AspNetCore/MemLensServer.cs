using System.Net;
using System.Security.Cryptography;
using MemLens.AspNetCore.Dashboard;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MemLens.AspNetCore;

/// <summary>
/// The dashboard on its own small Kestrel server, for programs without a web host (and for the <c>memlens</c>
/// tool). Listens on 127.0.0.1 and a free port unless told otherwise.
/// </summary>
public sealed class MemLensServer : IAsyncDisposable, IDisposable
{
    private readonly WebApplication _app;
    private readonly bool _ownsMonitor;

    private MemLensServer(WebApplication app, MemLensMonitor monitor, bool ownsMonitor, Uri url, string? token)
    {
        _app = app;
        Monitor = monitor;
        _ownsMonitor = ownsMonitor;
        Url = url;
        AccessToken = token;
    }

    /// <summary>The dashboard's address, e.g. <c>http://127.0.0.1:40123/</c>.</summary>
    public Uri Url { get; }

    /// <summary>The token the API requires, or null when none is needed.</summary>
    public string? AccessToken { get; }

    /// <summary>The URL to open in a browser: <see cref="Url"/> with <c>#token=…</c> when a token is needed.</summary>
    public Uri BrowserUrl => AccessToken is null ? Url : new Uri(Url, "#token=" + Uri.EscapeDataString(AccessToken));

    public MemLensMonitor Monitor { get; }

    /// <summary>Monitors the current process and serves its dashboard on 127.0.0.1 and a free port.</summary>
    public static MemLensServer Start() => Start(new MemLensOptions());

    /// <summary>
    /// Monitors the current process and serves its dashboard; records to <see cref="MemLensOptions.RecordTo"/> and pushes
    /// to <see cref="MemLensOptions.Otlp"/> when they are set, until the server is disposed.
    /// </summary>
    public static MemLensServer Start(MemLensOptions options, MemLensServerOptions? server = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var monitor = MemLensMonitor.ForCurrentProcess(options);
        try
        {
            return StartCore(monitor, ownsMonitor: true, server ?? new MemLensServerOptions());
        }
        catch
        {
            monitor.Dispose();
            throw;
        }
    }

    /// <summary>Serves the dashboard of a monitor you created (e.g. of another process). The monitor is started; you dispose it.</summary>
    public static MemLensServer Start(MemLensMonitor monitor, MemLensServerOptions server)
    {
        ArgumentNullException.ThrowIfNull(monitor);
        ArgumentNullException.ThrowIfNull(server);
        return StartCore(monitor, ownsMonitor: false, server);
    }

    /// <summary>True when binding to <paramref name="address"/> keeps the dashboard on this machine.</summary>
    public static bool IsLocal(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        return IPAddress.IsLoopback(address);
    }

    /// <summary>A fresh random token: 24 bytes, URL-safe base64.</summary>
    public static string NewToken() =>
        Convert.ToBase64String(RandomNumberGenerator.GetBytes(24)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static MemLensServer StartCore(MemLensMonitor monitor, bool ownsMonitor, MemLensServerOptions server)
    {
        string? token = server.AccessToken;
        if (string.IsNullOrEmpty(token))
        {
            token = IsLocal(server.Address) ? monitor.Options.AccessToken : NewToken();
        }

        monitor.Options.AccessToken = token;
        foreach (string allowed in server.AllowedHosts.Where(h => !monitor.Options.AllowedHosts.Contains(h, StringComparer.OrdinalIgnoreCase)))
        {
            monitor.Options.AllowedHosts.Add(allowed);
        }

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        // The host's console logging would write into the terminal of whatever runs the server.
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(server.Address, server.Port));
        if (ownsMonitor)
        {
            // Its own monitor: recording (RecordTo) and OTLP push (Otlp) start and stop with the server, as they do
            // with the host under AddMemLens. A monitor the caller made is the caller's to record or export.
            builder.Services.AddHostedService(_ => new MemLensHostedService(monitor));
        }

        var app = builder.Build();
        // Mapped with the bound address: the Host of every request must then name it (and its port).
        DashboardEndpoints.Map(app, "/", _ => monitor, server.Address);
        try
        {
            app.StartAsync().GetAwaiter().GetResult();
        }
        catch
        {
            // A busy port or an address this machine does not have: free the host before the caller sees why.
            ((IDisposable)app).Dispose();
            throw;
        }

        monitor.Start();
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
        var bound = new Uri(addresses.First());
        string host = server.Address.Equals(IPAddress.Any) || server.Address.Equals(IPAddress.IPv6Any)
            ? Dns.GetHostName()
            : server.Address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{server.Address}]" : server.Address.ToString();
        var url = new Uri($"http://{host}:{bound.Port}/");
        return new MemLensServer(app, monitor, ownsMonitor, url, token);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        if (_ownsMonitor)
        {
            Monitor.Dispose();
        }
    }

    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();
}
