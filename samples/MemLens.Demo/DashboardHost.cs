using MemLens.AspNetCore;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MemLens.Demo;

/// <summary>
/// The demo's own dashboard, mapped the way an application would (<c>AddMemLens</c> + <c>MapMemLens</c> + <c>MapMemLensMetrics</c>), so
/// `memlens demo` exercises the in-process path: GC figures from inside, and the release action enabled.
/// </summary>
internal static class DashboardHost
{
    public static async Task<(WebApplication App, string Url)> StartAsync(System.Net.IPEndPoint listen, string? token, string? recordTo, long recordMaxMiB)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.Logging.ClearProviders(); // stdout is the demo's line protocol
        builder.WebHost.ConfigureKestrel(k => k.Listen(listen));
        builder.Services.AddMemLens(o =>
        {
            o.EnableActions = true;
            o.AccessToken = token;
            o.RecordTo = recordTo;
            o.RecordMaxBytes = recordMaxMiB << 20;
        });
        var app = builder.Build();
        app.MapMemLens();
        app.MapMemLensMetrics(); // Prometheus scrapes the demo at /metrics, as it would an application (guarded by the token too)
        app.MapGet("/", () => Results.Redirect(MemLensEndpointRouteBuilderExtensions.DefaultPattern + "/"));
        await app.StartAsync().ConfigureAwait(false);
        var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        string host = listen.Address.Equals(System.Net.IPAddress.Any) ? "127.0.0.1" : address.Host;
        return (app, $"http://{host}:{address.Port}{MemLensEndpointRouteBuilderExtensions.DefaultPattern}/");
    }
}
