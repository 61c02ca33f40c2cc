using MemLens.AspNetCore;
using MemLens.AspNetCore.Dashboard;
using MemLens.Exporting;
using MemLens.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps a Prometheus scrape endpoint over MemLens's figures.</summary>
public static class MemLensMetricsEndpointRouteBuilderExtensions
{
    /// <summary>The default path of the scrape endpoint.</summary>
    public const string DefaultPattern = "/metrics";

    /// <summary>
    /// Maps <c>GET /metrics</c>: the newest value of every MemLens series of this process in Prometheus's text
    /// format, named <c>memlens_…</c> (e.g. <c>memlens_process_memory_rss_bytes</c>) and labelled with
    /// <c>pid</c>, <c>process_name</c> and <c>runtime</c>. Returns the endpoint's convention builder, so
    /// <c>.RequireAuthorization()</c> or <c>.RequireHost()</c> can protect it. Needs <c>services.AddMemLens()</c>.
    /// </summary>
    public static IEndpointConventionBuilder MapMemLensMetrics(this IEndpointRouteBuilder endpoints) => endpoints.MapMemLensMetrics(DefaultPattern);

    /// <summary>Maps the scrape endpoint at <paramref name="pattern"/>.</summary>
    public static IEndpointConventionBuilder MapMemLensMetrics(this IEndpointRouteBuilder endpoints, string pattern)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentException.ThrowIfNullOrWhiteSpace(pattern);
        var monitor = endpoints.ServiceProvider.GetService<MemLensMonitor>()
            ?? throw new InvalidOperationException("MapMemLensMetrics needs services.AddMemLens() first.");
        return endpoints.MapMemLensMetrics(pattern, monitor);
    }

    /// <summary>
    /// Maps the scrape endpoint over a given monitor (e.g. one watching another process). The monitor's
    /// <see cref="MemLensOptions.AccessToken"/>, when set, guards it as it guards the dashboard's API.
    /// </summary>
    public static IEndpointConventionBuilder MapMemLensMetrics(this IEndpointRouteBuilder endpoints, string pattern, MemLensMonitor monitor)
    {
        ArgumentNullException.ThrowIfNull(monitor);
        return endpoints.MapMemLensMetrics(pattern, monitor.Store, monitor.Target.ToExported(), monitor.Options.AccessToken);
    }

    /// <summary>
    /// Maps the scrape endpoint over a store (e.g. the <c>memlens</c> tool's, without a dashboard). With
    /// <paramref name="accessToken"/>, a scrape must send it (<c>Authorization: Bearer …</c>; Prometheus:
    /// <c>authorization: { credentials: … }</c>) or gets 401.
    /// </summary>
    public static IEndpointConventionBuilder MapMemLensMetrics(this IEndpointRouteBuilder endpoints, string pattern, MetricStore store, ExportedProcess process, string? accessToken = null)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentException.ThrowIfNullOrWhiteSpace(pattern);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(process);
        var exposition = new PrometheusExposition(process);
        return endpoints.MapGet(pattern, async (HttpContext context) =>
        {
            if (!DashboardEndpoints.Authorized(context, accessToken))
            {
                context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                context.Response.Headers.WWWAuthenticate = "Bearer";
                return;
            }

            context.Response.ContentType = PrometheusExposition.ContentType;
            context.Response.Headers.CacheControl = "no-store";
            exposition.Write(context.Response.BodyWriter, store);
            await context.Response.BodyWriter.FlushAsync(context.RequestAborted).ConfigureAwait(false);
        });
    }
}
