using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Builder;
using Xunit;

namespace MemLens.AspNetCore.Tests.ProbeTests;

/// <summary>
/// Cross-site requests and DNS rebinding against the tokenless loopback dashboard, the tool's (MemLensServer) and an
/// app's own (MapMemLens): a foreign Origin or Sec-Fetch-Site is refused on every route, the action does not run; a
/// Host that is not this server's is refused; same-origin requests work; the page cannot be framed.
/// </summary>
public class CrossOriginProbeTests
{
    /// <summary>Actions that ran: the events they record (release, GC, snapshot) and the calls the process received.</summary>
    private static int ActionsRun(MemLensMonitor monitor, ScriptedTargetActions actions) =>
        monitor.Store.GetEvents(0, long.MaxValue).Count(e => e.Type.StartsWith("action.", StringComparison.Ordinal)) + actions.Calls;

    public static TheoryData<string, string> ForeignSenders() => new()
    {
        { "Origin", "https://evil.example" },
        { "Origin", "null" },
        { "Origin", "http://127.0.0.1:1" },
        { "Sec-Fetch-Site", "cross-site" },
        { "Sec-Fetch-Site", "same-site" },
    };

    [Theory]
    [MemberData(nameof(ForeignSenders))]
    public async Task A_cross_site_post_to_any_action_of_the_tool_server_is_403_and_the_action_does_not_run(string header, string value)
    {
        var actions = new ScriptedTargetActions();
        using var monitor = ProbeServers.ActingMonitor(actions);
        await using var server = MemLensServer.Start(monitor, new MemLensServerOptions());
        using var http = new HttpClient { BaseAddress = server.Url };
        foreach (string action in ProbeServers.Actions)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, action) { Content = new StringContent("x", null, "text/plain") };
            request.Headers.TryAddWithoutValidation(header, value);
            using var response = await http.SendAsync(request);
            Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"{action} with {header}: {value} → {(int)response.StatusCode}");
            await ProbeServers.OneLineErrorAsync(response);
        }

        Assert.Equal(0, ActionsRun(monitor, actions));
        Assert.Null(monitor.TargetActions!.Running);
        Assert.Empty(monitor.TargetActions.Snapshots);
    }

    [Theory]
    [MemberData(nameof(ForeignSenders))]
    public async Task A_cross_site_request_to_any_get_route_of_the_tool_server_is_403(string header, string value)
    {
        using var monitor = ProbeServers.ActingMonitor(new ScriptedTargetActions());
        await using var server = MemLensServer.Start(monitor, new MemLensServerOptions());
        using var http = new HttpClient { BaseAddress = server.Url };
        foreach (string route in ProbeServers.GetRoutes.Append("api/stream"))
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, route);
            request.Headers.TryAddWithoutValidation(header, value);
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"GET /{route} with {header}: {value} → {(int)response.StatusCode}");
        }
    }

    [Theory]
    [InlineData("evil.example:{port}")]
    [InlineData("evil.example")]
    [InlineData("localhost.evil.example:{port}")]
    [InlineData("127.0.0.1.nip.io:{port}")]
    [InlineData("127.0.0.1:1")]
    [InlineData("localhost:1")]
    public async Task A_foreign_host_on_any_route_of_the_tool_server_is_refused(string host)
    {
        var actions = new ScriptedTargetActions();
        using var monitor = ProbeServers.ActingMonitor(actions);
        await using var server = MemLensServer.Start(monitor, new MemLensServerOptions());
        using var http = new HttpClient { BaseAddress = server.Url };
        string hostHeader = host.Replace("{port}", server.Url.Port.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal);
        foreach (var (method, route) in ProbeServers.GetRoutes.Append("api/stream").Select(r => (HttpMethod.Get, r)).Concat(ProbeServers.Actions.Select(a => (HttpMethod.Post, a))))
        {
            using var request = new HttpRequestMessage(method, route);
            request.Headers.Host = hostHeader;
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            Assert.True(response.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.BadRequest, $"{method} /{route} with Host: {hostHeader} → {(int)response.StatusCode}");
        }

        Assert.Equal(0, ActionsRun(monitor, actions));
    }

    [Theory]
    [InlineData("127.0.0.1:{port}", null, null)]
    [InlineData("localhost:{port}", "http://localhost:{port}", "same-origin")]
    [InlineData("127.0.0.1:{port}", "http://127.0.0.1:{port}", "same-origin")]
    [InlineData("127.0.0.1:{port}", null, "none")]
    public async Task Same_origin_requests_to_the_tool_server_work_on_every_route_and_action(string host, string? origin, string? fetchSite)
    {
        var actions = new ScriptedTargetActions();
        using var monitor = ProbeServers.ActingMonitor(actions);
        await using var server = MemLensServer.Start(monitor, new MemLensServerOptions());
        using var http = new HttpClient { BaseAddress = server.Url };
        string port = server.Url.Port.ToString(CultureInfo.InvariantCulture);
        using (var snapshot = await Send(HttpMethod.Post, "api/actions/snapshot"))
        {
            Assert.Equal(HttpStatusCode.Accepted, snapshot.StatusCode);
        }

        await QueryLimitProbeTests.WaitForSnapshotAsync(http, "s1");
        foreach (string route in ProbeServers.GetRoutes)
        {
            using var response = await Send(HttpMethod.Get, route);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET /{route} → {(int)response.StatusCode}");
        }

        foreach (string action in new[] { "api/actions/gc" })
        {
            using var response = await Send(HttpMethod.Post, action);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"POST /{action} → {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }

        async Task<HttpResponseMessage> Send(HttpMethod method, string route)
        {
            using var request = new HttpRequestMessage(method, route);
            request.Headers.Host = host.Replace("{port}", port, StringComparison.Ordinal);
            if (origin is not null)
            {
                request.Headers.TryAddWithoutValidation("Origin", origin.Replace("{port}", port, StringComparison.Ordinal));
            }

            if (fetchSite is not null)
            {
                request.Headers.TryAddWithoutValidation("Sec-Fetch-Site", fetchSite);
            }

            return await http.SendAsync(request);
        }
    }

    [Fact]
    public async Task Bound_to_every_address_the_tool_server_answers_this_machines_names_and_addresses_but_not_a_foreign_host()
    {
        using var monitor = ProbeServers.ActingMonitor(new ScriptedTargetActions());
        await using var server = MemLensServer.Start(monitor, new MemLensServerOptions { Address = IPAddress.Any });
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{server.Url.Port.ToString(CultureInfo.InvariantCulture)}/") };
        string port = ":" + server.Url.Port.ToString(CultureInfo.InvariantCulture);
        var lan = ProbeServers.NonLoopbackAddress();
        var names = new List<string> { "127.0.0.1", "localhost", Dns.GetHostName() };
        if (lan is not null)
        {
            names.Add(lan.ToString());
        }

        foreach (string name in names)
        {
            Assert.Equal(HttpStatusCode.OK, await StatusAsync(name + port));
        }

        Assert.Equal(HttpStatusCode.Forbidden, await StatusAsync("evil.example" + port));
        Assert.Equal(HttpStatusCode.Forbidden, await StatusAsync(Dns.GetHostName() + "evil.example" + port));

        async Task<HttpStatusCode> StatusAsync(string host)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "api/catalog");
            request.Headers.Host = host;
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", server.AccessToken);
            using var response = await http.SendAsync(request);
            return response.StatusCode;
        }
    }

    [Fact]
    public async Task In_process_a_cross_site_post_to_release_is_403_and_no_gc_runs()
    {
        await using var app = await DashboardApp.StartAsync(o => o.EnableActions = true);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/debug/memlens/api/actions/release") { Content = new StringContent("x", null, "text/plain") };
        request.Headers.TryAddWithoutValidation("Origin", "https://evil.example");
        using var response = await app.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        await ProbeServers.OneLineErrorAsync(response);
        Assert.DoesNotContain(app.Monitor.Store.GetEvents(0, long.MaxValue), e => e.Type == "action.release");
    }

    [Fact]
    public async Task In_process_without_a_token_a_foreign_host_is_refused_on_every_route_dns_rebinding()
    {
        var (app, url) = await ProbeServers.StartAppAsync(IPAddress.Loopback, o => o.EnableActions = true);
        await using var _ = app;
        using var http = new HttpClient { BaseAddress = new Uri(url, "/debug/memlens/") };
        foreach (var (method, route) in ProbeServers.GetRoutes.Take(8).Select(r => (HttpMethod.Get, r)).Append((HttpMethod.Post, "api/actions/release")))
        {
            using var request = new HttpRequestMessage(method, route);
            request.Headers.Host = "evil.example:" + url.Port.ToString(CultureInfo.InvariantCulture);
            using var response = await http.SendAsync(request);
            Assert.True(response.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.BadRequest, $"{method} /{route} → {(int)response.StatusCode}");
            Assert.DoesNotContain("command_line", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        using var metrics = new HttpRequestMessage(HttpMethod.Get, new Uri(url, "/metrics"));
        metrics.Headers.Host = "evil.example";
        Assert.Equal(HttpStatusCode.Forbidden, (await http.SendAsync(metrics)).StatusCode);

        // The same requests under the names of this machine's loopback work.
        foreach (string host in new[] { "localhost", "127.0.0.1", "[::1]" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "api/catalog");
            request.Headers.Host = host + ":" + url.Port.ToString(CultureInfo.InvariantCulture);
            using var response = await http.SendAsync(request);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"Host: {host} → {(int)response.StatusCode}");
        }
    }

    [Fact]
    public async Task In_process_a_configured_host_name_or_a_token_lets_a_proxied_name_through()
    {
        var (named, namedUrl) = await ProbeServers.StartAppAsync(IPAddress.Loopback, o => o.AllowedHosts.Add("memlens.internal.example"));
        await using (named)
        {
            using var http = new HttpClient();
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(namedUrl, "/debug/memlens/api/catalog"));
            request.Headers.Host = "memlens.internal.example";
            Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(request)).StatusCode);
        }

        var (tokened, tokenUrl) = await ProbeServers.StartAppAsync(IPAddress.Loopback, o => o.AccessToken = "a-long-enough-token-for-this-test");
        await using (tokened)
        {
            using var http = new HttpClient();
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(tokenUrl, "/debug/memlens/api/catalog"));
            request.Headers.Host = "app.example.com";
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "a-long-enough-token-for-this-test");
            Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(request)).StatusCode);
            using var sameOrigin = new HttpRequestMessage(HttpMethod.Get, new Uri(tokenUrl, "/debug/memlens/api/catalog"));
            sameOrigin.Headers.Host = "app.example.com";
            sameOrigin.Headers.TryAddWithoutValidation("Origin", "https://app.example.com");
            sameOrigin.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "a-long-enough-token-for-this-test");
            Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(sameOrigin)).StatusCode);
        }
    }

    [Fact]
    public async Task Every_response_forbids_framing_and_sniffing_and_the_page_has_a_content_security_policy()
    {
        using var monitor = ProbeServers.ActingMonitor(new ScriptedTargetActions());
        await using var server = MemLensServer.Start(monitor, new MemLensServerOptions());
        using var http = new HttpClient { BaseAddress = server.Url };
        foreach (string route in new[] { "", "app.js", "api/catalog", "api/series?from=x", "api/snapshots/nope" })
        {
            using var response = await http.GetAsync(route);
            Assert.Equal("DENY", string.Join(",", response.Headers.GetValues("X-Frame-Options")));
            Assert.Contains("frame-ancestors 'none'", string.Join(",", response.Headers.GetValues("Content-Security-Policy")), StringComparison.Ordinal);
            Assert.Equal("nosniff", string.Join(",", response.Headers.GetValues("X-Content-Type-Options")));
        }

        using var page = await http.GetAsync("");
        string csp = string.Join(",", page.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("default-src 'self'", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("'unsafe-inline'", csp.Split(';').Single(d => d.Trim().StartsWith("script-src", StringComparison.Ordinal)), StringComparison.Ordinal);

        await using var app = await DashboardApp.StartAsync();
        using var inProcess = await app.Client.GetAsync("/debug/memlens/");
        Assert.Equal("DENY", string.Join(",", inProcess.Headers.GetValues("X-Frame-Options")));
    }
}
