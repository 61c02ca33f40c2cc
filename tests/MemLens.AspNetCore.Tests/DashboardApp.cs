using MemLens.AspNetCore;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MemLens.AspNetCore.Tests;

/// <summary>
/// A real ASP.NET Core app on the in-memory TestServer with MemLens mapped the way a user maps it. The monitor
/// samples this very test process through /proc and the GC.
/// </summary>
internal sealed class DashboardApp : IAsyncDisposable
{
    private DashboardApp(WebApplication app, HttpClient client)
    {
        App = app;
        Client = client;
    }

    public WebApplication App { get; }

    public HttpClient Client { get; }

    public MemLensMonitor Monitor => App.Services.GetRequiredService<MemLensMonitor>();

    public static async Task<DashboardApp> StartAsync(Action<MemLensOptions>? configure = null, Action<WebApplication>? map = null, Action<IServiceCollection>? services = null)
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseTestServer();
        builder.Logging.ClearProviders();
        builder.Services.AddMemLens(configure ?? (_ => { }));
        services?.Invoke(builder.Services);
        var app = builder.Build();
        if (map is null)
        {
            app.MapMemLens();
        }
        else
        {
            map(app);
        }

        await app.StartAsync();
        return new DashboardApp(app, app.GetTestClient());
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
    }
}
