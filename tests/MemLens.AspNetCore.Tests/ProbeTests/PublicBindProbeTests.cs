using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Xunit;

namespace MemLens.AspNetCore.Tests.ProbeTests;

/// <summary>
/// <c>AddMemLens(); MapMemLens();</c> in an app bound to 0.0.0.0, reached over this machine's real network address
/// (eth0): without a token or an authorization policy every route refuses a request from off the machine with a 403
/// and one line, and the app warns at start-up; with either, it serves.
/// </summary>
public class PublicBindProbeTests
{
    private static readonly string[] s_routes =
        ["/debug/memlens/", "/debug/memlens/app.js", "/debug/memlens/api/catalog", "/debug/memlens/api/series", "/debug/memlens/api/findings", "/debug/memlens/api/events", "/debug/memlens/api/status", "/debug/memlens/api/stream", "/metrics"];

    private static IPAddress Lan() =>
        ProbeServers.NonLoopbackAddress() ?? throw new InvalidOperationException("These probes need an address of this machine that is not loopback (eth0); none is up.");

    private static Uri Over(IPAddress address, Uri url) => new($"http://{address}:{url.Port.ToString(CultureInfo.InvariantCulture)}/");

    [Fact]
    public async Task Bound_to_every_address_without_a_token_a_request_from_the_network_is_refused_on_every_route()
    {
        var lan = Lan();
        var log = new CollectingLoggerProvider();
        var (app, url) = await ProbeServers.StartAppAsync(IPAddress.Any, log: log);
        await using var _ = app;
        using var http = new HttpClient();
        foreach (string route in s_routes)
        {
            using var response = await http.GetAsync(new Uri(Over(lan, url), route), HttpCompletionOption.ResponseHeadersRead);
            Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"GET {route} from {lan} → {(int)response.StatusCode}");
            string error = await ProbeServers.OneLineErrorAsync(response);
            Assert.Contains("AccessToken", error, StringComparison.Ordinal);
            Assert.Contains("RequireAuthorization", error, StringComparison.Ordinal);
        }

        // From this machine (loopback) it still serves without a token, as before.
        using var local = await http.GetAsync(new Uri(Over(IPAddress.Loopback, url), "/debug/memlens/api/catalog"));
        Assert.Equal(HttpStatusCode.OK, local.StatusCode);

        var warning = Assert.Single(log.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("MemLens", StringComparison.Ordinal));
        Assert.Contains("AccessToken", warning.Message, StringComparison.Ordinal);
        Assert.Contains("RequireAuthorization", warning.Message, StringComparison.Ordinal);
        Assert.Contains("0.0.0.0", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bound_to_loopback_only_the_app_does_not_warn()
    {
        var log = new CollectingLoggerProvider();
        var (app, _) = await ProbeServers.StartAppAsync(IPAddress.Loopback, log: log);
        await using var __ = app;
        Assert.DoesNotContain(log.Entries, e => e.Level >= LogLevel.Warning && e.Message.Contains("MemLens", StringComparison.Ordinal));
    }

    [Fact]
    public async Task With_a_token_the_network_is_served_to_whoever_sends_it_and_nobody_is_warned()
    {
        var lan = Lan();
        var log = new CollectingLoggerProvider();
        const string token = "0123456789abcdef0123456789abcdef";
        var (app, url) = await ProbeServers.StartAppAsync(lan, o => o.AccessToken = token, log: log);
        await using var _ = app;
        using var http = new HttpClient();
        using (var denied = await http.GetAsync(new Uri(url, "/debug/memlens/api/catalog")))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, denied.StatusCode);
        }

        foreach (string route in s_routes.Where(r => !r.EndsWith("stream", StringComparison.Ordinal)))
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(url, route));
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            using var response = await http.SendAsync(request);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {route} with the token → {(int)response.StatusCode}");
        }

        Assert.DoesNotContain(log.Entries, e => e.Level >= LogLevel.Warning && e.Message.Contains("MemLens", StringComparison.Ordinal));
    }

    [Fact]
    public async Task With_RequireAuthorization_the_network_is_served_to_signed_in_users()
    {
        var lan = Lan();
        var log = new CollectingLoggerProvider();
        var (app, url) = await ProbeServers.StartAppAsync(
            lan,
            map: a =>
            {
                a.UseAuthentication();
                a.UseAuthorization();
                a.MapMemLens().RequireAuthorization();
                a.MapMemLensMetrics().RequireAuthorization();
            },
            services: s =>
            {
                s.AddAuthentication(HeaderUserHandler.SchemeName).AddScheme<AuthenticationSchemeOptions, HeaderUserHandler>(HeaderUserHandler.SchemeName, null);
                s.AddAuthorization();
            },
            log: log);
        await using var _ = app;
        using var http = new HttpClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync(new Uri(url, "/debug/memlens/api/catalog"))).StatusCode);
        foreach (string route in s_routes.Where(r => !r.EndsWith("stream", StringComparison.Ordinal)))
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(url, route));
            request.Headers.Add("X-User", "ops");
            using var response = await http.SendAsync(request);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {route} signed in → {(int)response.StatusCode}");
        }

        Assert.DoesNotContain(log.Entries, e => e.Level >= LogLevel.Warning && e.Message.Contains("MemLens", StringComparison.Ordinal));
    }
}
