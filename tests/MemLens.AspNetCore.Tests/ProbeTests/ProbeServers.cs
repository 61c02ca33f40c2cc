using System.Globalization;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using MemLens.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MemLens.AspNetCore.Tests.ProbeTests;

/// <summary>Real Kestrel servers for the probes: the tool's own server and an app that maps MemLens itself.</summary>
internal static class ProbeServers
{
    /// <summary>Every GET route of the dashboard, with values that make each answer 200 on a healthy server.</summary>
    public static readonly string[] GetRoutes =
    [
        "", "app.js", "app.css", "api/catalog", "api/status", "api/series", "api/events", "api/findings",
        "api/snapshots", "api/snapshots/s1", "api/snapshots/s1/retention", "api/snapshots/diff?a=s1&b=s1", "api/snapshots/diff?a=s1&b=s1&sort=retained",
    ];

    /// <summary>Every POST action on an attached process (release runs in-process only, and is probed there).</summary>
    public static readonly string[] Actions = ["api/actions/gc", "api/actions/snapshot"];

    /// <summary>
    /// A monitor of an attached .NET process that acts (GC, snapshots) through <paramref name="actions"/>, as the
    /// tool's monitor of <c>memlens watch</c> does.
    /// </summary>
    public static MemLensMonitor ActingMonitor(ScriptedTargetActions actions, MemLensOptions? options = null) =>
        new(new MetricStore(), [new SettableMemorySource()], new MemLensTarget(4242, "probe", "dotnet", InProcess: false), options ?? new MemLensOptions(), targetActions: actions);

    /// <summary>An address of this machine that is not loopback (eth0's), or null when it has none.</summary>
    public static IPAddress? NonLoopbackAddress() =>
        NetworkInterface.GetAllNetworkInterfaces()
            .Where(n => n.OperationalStatus == OperationalStatus.Up && n.NetworkInterfaceType != NetworkInterfaceType.Loopback)
            .SelectMany(n => n.GetIPProperties().UnicastAddresses)
            .Select(a => a.Address)
            .FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(a));

    /// <summary>
    /// An ASP.NET Core app on real Kestrel at <paramref name="address"/> (a free port) with <c>AddMemLens</c> and
    /// <paramref name="map"/> (by default <c>MapMemLens()</c> and <c>MapMemLensMetrics()</c>), logging to <paramref name="log"/>.
    /// </summary>
    public static async Task<(WebApplication App, Uri Url)> StartAppAsync(
        IPAddress address,
        Action<MemLensOptions>? configure = null,
        Action<WebApplication>? map = null,
        Action<IServiceCollection>? services = null,
        CollectingLoggerProvider? log = null)
    {
        var builder = WebApplication.CreateBuilder();
        builder.Logging.ClearProviders();
        if (log is not null)
        {
            builder.Logging.AddProvider(log);
        }

        builder.WebHost.ConfigureKestrel(k => k.Listen(address, 0));
        builder.Services.AddMemLens(configure ?? (_ => { }));
        services?.Invoke(builder.Services);
        var app = builder.Build();
        if (map is null)
        {
            app.MapMemLens();
            app.MapMemLensMetrics();
        }
        else
        {
            map(app);
        }

        await app.StartAsync();
        var bound = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        string host = address.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{address}]" : address.ToString();
        return (app, new Uri($"http://{host}:{bound.Port.ToString(CultureInfo.InvariantCulture)}/"));
    }

    /// <summary>The one line a refusal or an error must be: JSON with an error that names no exception type.</summary>
    public static async Task<string> OneLineErrorAsync(HttpResponseMessage response)
    {
        string body = await response.Content.ReadAsStringAsync();
        Xunit.Assert.DoesNotContain('\n', body.TrimEnd());
        Xunit.Assert.DoesNotContain("Exception", body, StringComparison.Ordinal);
        Xunit.Assert.DoesNotContain("   at ", body, StringComparison.Ordinal);
        var json = await Json.ReadAsync(response);
        string error = json.GetProperty("error").GetString()!;
        Xunit.Assert.False(string.IsNullOrWhiteSpace(error));
        return error;
    }
}

/// <summary>Keeps what an app logs, to check its start-up warnings.</summary>
internal sealed class CollectingLoggerProvider : ILoggerProvider
{
    private readonly List<(LogLevel Level, string Category, string Message)> _entries = [];

    public IReadOnlyList<(LogLevel Level, string Category, string Message)> Entries
    {
        get
        {
            lock (_entries)
            {
                return _entries.ToArray();
            }
        }
    }

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(CollectingLoggerProvider owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (owner._entries)
            {
                owner._entries.Add((logLevel, category, formatter(state, exception)));
            }
        }
    }
}
