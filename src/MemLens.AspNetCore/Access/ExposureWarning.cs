using System.Net;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace MemLens.AspNetCore.Access;

/// <summary>
/// Once the app listens, warns when it listens beyond loopback while MemLens routes have neither an access token nor
/// an authorization policy: those routes then refuse every request from another machine (<see cref="AccessPolicy"/>),
/// and the owner should know why, and what to set.
/// </summary>
internal sealed partial class ExposureWarning(IServiceProvider services, IHostApplicationLifetime lifetime, IOptions<MemLensOptions> options) : IHostedService
{
    private CancellationTokenRegistration _started;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _started = lifetime.ApplicationStarted.Register(Check);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _started.Dispose();
        return Task.CompletedTask;
    }

    /// <summary>True when <paramref name="address"/> (as Kestrel lists it, e.g. <c>http://0.0.0.0:80</c>, <c>http://+:80</c>) can be reached from other machines.</summary>
    internal static bool BeyondLoopback(string address)
    {
        int scheme = address.IndexOf("://", StringComparison.Ordinal);
        string rest = scheme < 0 ? address : address[(scheme + 3)..];
        string host = rest.StartsWith('[') ? rest[..(rest.IndexOf(']') + 1)] : rest.Split(':', '/')[0];
        if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        return !(IPAddress.TryParse(host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip));
    }

    private void Check()
    {
        try
        {
            if (!string.IsNullOrEmpty(options.Value.AccessToken))
            {
                return;
            }

            var addresses = services.GetService<IServer>()?.Features.Get<IServerAddressesFeature>()?.Addresses.Where(BeyondLoopback).ToArray() ?? [];
            var unprotected = services.GetService<EndpointDataSource>()?.Endpoints
                .Where(e => e.Metadata.GetMetadata<MemLensEndpointMetadata>() is not null)
                .Where(e => (e.Metadata.GetMetadata<IAuthorizeData>() is null && e.Metadata.GetMetadata<AuthorizationPolicy>() is null) || e.Metadata.GetMetadata<IAllowAnonymous>() is not null)
                .Select(e => (e as RouteEndpoint)?.RoutePattern.RawText ?? e.DisplayName ?? "?")
                .ToArray() ?? [];
            if (addresses.Length == 0 || unprotected.Length == 0)
            {
                return;
            }

            var logger = services.GetService<ILoggerFactory>()?.CreateLogger("MemLens.AspNetCore");
            if (logger is not null)
            {
                LogExposed(logger, string.Join(", ", addresses), unprotected.Length);
            }
        }
#pragma warning disable CA1031 // A warning that cannot be worked out must never stop the application.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "MemLens: the app listens on {Addresses}, which other machines can reach, but neither MemLensOptions.AccessToken nor an authorization policy (MapMemLens().RequireAuthorization()) protects {Count} MemLens routes; they answer only requests from this machine (others get 403). Set AccessToken or call RequireAuthorization() to serve them to others.")]
    private static partial void LogExposed(ILogger logger, string addresses, int count);
}
