using MemLens.AspNetCore;
using MemLens.AspNetCore.Dashboard;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps the MemLens dashboard and its API.</summary>
public static class MemLensEndpointRouteBuilderExtensions
{
    /// <summary>The default base path.</summary>
    public const string DefaultPattern = "/debug/memlens";

    /// <summary>
    /// Maps the dashboard at <c>/debug/memlens/</c> and its API under <c>/debug/memlens/api/</c>. Returns the
    /// group's convention builder, so <c>.RequireAuthorization()</c> protects every route. Needs
    /// <c>services.AddMemLens()</c>.
    /// </summary>
    public static IEndpointConventionBuilder MapMemLens(this IEndpointRouteBuilder endpoints) => endpoints.MapMemLens(DefaultPattern);

    /// <summary>Maps the dashboard and its API under <paramref name="pattern"/>.</summary>
    public static IEndpointConventionBuilder MapMemLens(this IEndpointRouteBuilder endpoints, string pattern)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentException.ThrowIfNullOrWhiteSpace(pattern);
        if (endpoints.ServiceProvider.GetService<MemLensMonitor>() is null)
        {
            throw new InvalidOperationException("MapMemLens needs services.AddMemLens() first.");
        }

        return DashboardEndpoints.Map(endpoints, pattern, static sp => sp.GetRequiredService<MemLensMonitor>());
    }

    /// <summary>Maps a dashboard over a given monitor (e.g. one watching another process).</summary>
    public static IEndpointConventionBuilder MapMemLens(this IEndpointRouteBuilder endpoints, string pattern, MemLensMonitor monitor)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentException.ThrowIfNullOrWhiteSpace(pattern);
        ArgumentNullException.ThrowIfNull(monitor);
        return DashboardEndpoints.Map(endpoints, pattern, _ => monitor);
    }
}
