using MemLens.AspNetCore;
using MemLens.AspNetCore.Access;
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
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentException.ThrowIfNullOrWhiteSpace(pattern);
        ArgumentNullException.ThrowIfNull(monitor);
        return Map(endpoints, pattern, monitor.Store, monitor.Target.ToExported(), () => monitor.Options.AccessToken, monitor.Options.AllowedHosts);
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
        return Map(endpoints, pattern, store, process, () => accessToken, []);
    }

    /// <summary>
    /// The scrape endpoint behind the dashboard's access policy (docs/security.md): same-origin, a Host of this
    /// machine (or <paramref name="allowedHosts"/>), from this machine unless a token or a policy protects it, and the
    /// token with its limit on wrong guesses.
    /// </summary>
    private static IEndpointConventionBuilder Map(IEndpointRouteBuilder endpoints, string pattern, MetricStore store, ExportedProcess process, Func<string?> tokenOf, IList<string> allowedHosts)
    {
        var exposition = new PrometheusExposition(process);
        var policy = AccessPolicy.InProcess();
        return endpoints.MapGet(pattern, async (HttpContext context) =>
        {
            AccessPolicy.SetSecurityHeaders(context.Response, DashboardEndpoints.ApiContentSecurityPolicy);
            string? accessToken = tokenOf();
            if (policy.Check(context, accessToken, allowedHosts) is { } refusal)
            {
                await DashboardEndpoints.ErrorAsync(context, refusal.Status, refusal.Message).ConfigureAwait(false);
                return;
            }

            if (policy.CheckToken(context, accessToken) is { } denied)
            {
                if (denied.Status == StatusCodes.Status401Unauthorized)
                {
                    context.Response.Headers.WWWAuthenticate = "Bearer";
                }
                else
                {
                    context.Response.Headers.RetryAfter = denied.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
                }

                await DashboardEndpoints.ErrorAsync(context, denied.Status, denied.Message).ConfigureAwait(false);
                return;
            }

            context.Response.ContentType = PrometheusExposition.ContentType;
            context.Response.Headers.CacheControl = "no-store";
            exposition.Write(context.Response.BodyWriter, store);
            await context.Response.BodyWriter.FlushAsync(context.RequestAborted).ConfigureAwait(false);
        }).WithMetadata(MemLensEndpointMetadata.Instance);
    }
}
