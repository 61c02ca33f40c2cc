using System.Net.Sockets;
using MemLens.AspNetCore;
using MemLens.Exporting;
using MemLens.Storage;
using MemLens.Tool.Dashboard;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MemLens.Tool.Exporting;

/// <summary>
/// <c>--metrics-port</c>: a small Kestrel server of its own that answers <c>GET /metrics</c> over the watched
/// process's store, so Prometheus scrapes a fixed port whatever the dashboard does (or in --tui/--json-lines mode,
/// where there is none).
/// </summary>
internal sealed class MetricsEndpoint : IAsyncDisposable
{
    private static readonly TimeSpan s_stopTimeout = TimeSpan.FromSeconds(2);
    private readonly WebApplication _app;

    private MetricsEndpoint(WebApplication app, Uri url)
    {
        _app = app;
        Url = url;
    }

    /// <summary>The scrape URL, e.g. <c>http://127.0.0.1:9464/metrics</c>.</summary>
    public Uri Url { get; }

    /// <summary>Serves the store's figures; says in one line on stderr why it cannot listen and returns null.</summary>
    public static async Task<MetricsEndpoint?> TryStartAsync(MetricStore store, ExportedProcess process, DashboardSettings settings)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.Logging.ClearProviders(); // the terminal belongs to the live view or the JSON lines
        builder.WebHost.ConfigureKestrel(k => k.Listen(settings.Address, settings.Port));
        var app = builder.Build();
        app.MapMemLensMetrics("/metrics", store, process, settings.Token);
        app.MapGet("/", () => Results.Text("MemLens: Prometheus metrics at /metrics\n"));
        try
        {
            await app.StartAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or SocketException)
        {
            await ((IAsyncDisposable)app).DisposeAsync().ConfigureAwait(false);
            await Console.Error.WriteLineAsync("memlens: " + BindFailure(settings, ex)).ConfigureAwait(false);
            return null;
        }

        var bound = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        // Listening on every address: the machine's name is what a scrape configuration would use.
        string host = settings.Address.Equals(System.Net.IPAddress.Any) || settings.Address.Equals(System.Net.IPAddress.IPv6Any)
            ? System.Net.Dns.GetHostName()
            : settings.Address.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{settings.Address}]" : settings.Address.ToString();
        return new MetricsEndpoint(app, new Uri($"http://{host}:{bound.Port}/metrics"));
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _app.StopAsync().WaitAsync(s_stopTimeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // A scrape still running; the process is about to end anyway.
        }

        await _app.DisposeAsync().ConfigureAwait(false);
    }

    private static string BindFailure(DashboardSettings settings, Exception ex) =>
        DashboardHosting.BindFailure(settings, ex, "--metrics-port", "metrics");
}
