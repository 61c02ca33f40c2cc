using System.Net;
using System.Net.Http.Headers;
using System.Security.Claims;
using System.Text.Encodings.Web;
using MemLens.Storage;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Xunit;

namespace MemLens.AspNetCore.Tests;

public class AccessTests
{
    private const string Base = "/debug/memlens/";

    [Fact]
    public async Task With_a_token_every_api_route_needs_it_but_the_page_does_not()
    {
        await using var app = await DashboardApp.StartAsync(o => o.AccessToken = "s3cret");
        foreach (string route in new[] { "api/catalog", "api/series", "api/events", "api/status", "api/findings", "api/stream" })
        {
            using var denied = await app.Client.GetAsync(Base + route);
            Assert.Equal(HttpStatusCode.Unauthorized, denied.StatusCode);
            Assert.True((await Json.ReadAsync(denied)).GetProperty("tokenRequired").GetBoolean());
        }

        using var deniedPost = await app.Client.PostAsync(Base + "api/actions/release", null);
        Assert.Equal(HttpStatusCode.Unauthorized, deniedPost.StatusCode);

        using var wrong = new HttpRequestMessage(HttpMethod.Get, Base + "api/catalog");
        wrong.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "s3creT");
        Assert.Equal(HttpStatusCode.Unauthorized, (await app.Client.SendAsync(wrong)).StatusCode);

        using var right = new HttpRequestMessage(HttpMethod.Get, Base + "api/catalog");
        right.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "s3cret");
        Assert.Equal(HttpStatusCode.OK, (await app.Client.SendAsync(right)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await app.Client.GetAsync(Base + "api/status?access_token=s3cret")).StatusCode);
        Assert.NotEqual(HttpStatusCode.Unauthorized, (await app.Client.GetAsync(Base)).StatusCode);
    }

    [Fact]
    public async Task RequireAuthorization_on_MapMemLens_protects_every_route()
    {
        await using var app = await DashboardApp.StartAsync(
            map: a =>
            {
                a.UseAuthentication();
                a.UseAuthorization();
                a.MapMemLens().RequireAuthorization();
            },
            services: s =>
            {
                s.AddAuthentication(HeaderUserHandler.SchemeName).AddScheme<AuthenticationSchemeOptions, HeaderUserHandler>(HeaderUserHandler.SchemeName, null);
                s.AddAuthorization();
            });
        Assert.Equal(HttpStatusCode.Unauthorized, (await app.Client.GetAsync(Base)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await app.Client.GetAsync(Base + "api/catalog")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await app.Client.GetAsync(Base + "app.js")).StatusCode);
        using var signedIn = new HttpRequestMessage(HttpMethod.Get, Base + "api/catalog");
        signedIn.Headers.Add("X-User", "ops");
        Assert.Equal(HttpStatusCode.OK, (await app.Client.SendAsync(signedIn)).StatusCode);
    }

    [Fact]
    public async Task A_server_on_loopback_needs_no_token()
    {
        using var monitor = new MemLensMonitor(new MetricStore(), [], new MemLensTarget(1, "test", "native", false), new MemLensOptions());
        await using var server = MemLensServer.Start(monitor, new MemLensServerOptions());
        Assert.Null(server.AccessToken);
        Assert.Equal("127.0.0.1", server.Url.Host);
        Assert.Equal(server.Url, server.BrowserUrl);
        using var http = new HttpClient();
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri(server.Url, "api/catalog"))).StatusCode);
    }

    [Fact]
    public async Task A_server_bound_beyond_loopback_generates_a_token_and_refuses_requests_without_it()
    {
        using var monitor = new MemLensMonitor(new MetricStore(), [], new MemLensTarget(1, "test", "native", false), new MemLensOptions());
        await using var server = MemLensServer.Start(monitor, new MemLensServerOptions { Address = IPAddress.Any });
        Assert.False(string.IsNullOrEmpty(server.AccessToken));
        Assert.True(server.AccessToken!.Length >= 32);
        Assert.Contains("#token=" + server.AccessToken, server.BrowserUrl.ToString(), StringComparison.Ordinal);

        using var http = new HttpClient();
        var local = new Uri($"http://127.0.0.1:{server.Url.Port}/");
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync(new Uri(local, "api/catalog"))).StatusCode);
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(local, "api/catalog"));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", server.AccessToken);
        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(request)).StatusCode);
    }

    [Fact]
    public async Task A_given_token_is_used_as_is_and_tokens_are_fresh_each_time()
    {
        Assert.NotEqual(MemLensServer.NewToken(), MemLensServer.NewToken());
        using var monitor = new MemLensMonitor(new MetricStore(), [], new MemLensTarget(1, "test", "native", false), new MemLensOptions());
        await using var server = MemLensServer.Start(monitor, new MemLensServerOptions { Address = IPAddress.Any, AccessToken = "mine" });
        Assert.Equal("mine", server.AccessToken);
    }
}
