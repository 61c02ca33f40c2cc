using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using MemLens.AspNetCore;
using MemLens.Metrics;
using MemLens.Storage;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace MemLens.AspNetCore.Tests;

public sealed partial class MetricsEndpointTests
{
    [GeneratedRegex("""^memlens_process_memory_rss_bytes\{pid="(\d+)",process_name="([^"]+)",runtime="dotnet"\} (\d+)$""", RegexOptions.Multiline)]
    private static partial Regex RssLine();

    [Fact]
    public async Task MapMemLensMetrics_serves_this_process_at_metrics_in_the_text_format()
    {
        await using var app = await DashboardApp.StartAsync(map: a => a.MapMemLensMetrics());
        GC.Collect(); // the GC's figures are read after a collection
        await WaitForAsync(() => app.Monitor.Store.TryGetLatest(MetricCatalog.GcHeapSize, out _, out _));

        using var response = await app.Client.GetAsync("/metrics");
        string text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain; version=0.0.4; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        var rss = RssLine().Match(text);
        Assert.True(rss.Success, text);
        Assert.Equal(Environment.ProcessId.ToString(CultureInfo.InvariantCulture), rss.Groups[1].Value);
        Assert.Equal(app.Monitor.Target.Name, rss.Groups[2].Value);
        Assert.True(long.Parse(rss.Groups[3].Value, CultureInfo.InvariantCulture) > 10 << 20, "RSS of a running .NET test host is tens of MiB");
        Assert.Contains("# TYPE memlens_dotnet_gc_heap_size_bytes gauge\n", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE memlens_dotnet_gc_collections_total counter\n", text, StringComparison.Ordinal);
        // The dashboard is not mapped by MapMemLensMetrics alone.
        Assert.Equal(HttpStatusCode.NotFound, (await app.Client.GetAsync("/debug/memlens/api/catalog")).StatusCode);
    }

    [Fact]
    public async Task The_endpoint_can_be_mapped_elsewhere_and_protected_with_RequireAuthorization()
    {
        await using var app = await DashboardApp.StartAsync(
            map: a =>
            {
                a.UseAuthentication();
                a.UseAuthorization();
                a.MapMemLens();
                a.MapMemLensMetrics("/internal/metrics").RequireAuthorization();
            },
            services: s =>
            {
                s.AddAuthentication(HeaderUserHandler.SchemeName).AddScheme<AuthenticationSchemeOptions, HeaderUserHandler>(HeaderUserHandler.SchemeName, null);
                s.AddAuthorization();
            });
        await WaitForAsync(() => app.Monitor.Store.TryGetLatest(MetricCatalog.ProcessRss, out _, out _));

        Assert.Equal(HttpStatusCode.NotFound, (await app.Client.GetAsync("/metrics")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await app.Client.GetAsync("/internal/metrics")).StatusCode);
        using var signedIn = new HttpRequestMessage(HttpMethod.Get, "/internal/metrics");
        signedIn.Headers.Add("X-User", "prometheus");
        using var response = await app.Client.SendAsync(signedIn);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Matches(RssLine(), await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task The_dashboards_access_token_guards_the_metrics_too()
    {
        await using var app = await DashboardApp.StartAsync(o => o.AccessToken = "s3cret", map: a => a.MapMemLensMetrics());
        await WaitForAsync(() => app.Monitor.Store.TryGetLatest(MetricCatalog.ProcessRss, out _, out _));

        using (var refused = await app.Client.GetAsync("/metrics"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
            Assert.Equal("Bearer", refused.Headers.WwwAuthenticate.ToString());
        }

        using var request = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "s3cret");
        using var response = await app.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Matches(RssLine(), await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_monitor_of_another_process_is_labelled_with_that_process()
    {
        var store = new MetricStore();
        store.Append(MetricCatalog.ProcessRss, 1_000, 123_456_789);
        using var monitor = new MemLensMonitor(store, [], new MemLensTarget(777, "payments", "go", InProcess: false), new MemLensOptions());
        await using var app = await DashboardApp.StartAsync(map: a => a.MapMemLensMetrics("/metrics", monitor));

        string text = await app.Client.GetStringAsync("/metrics");

        Assert.Contains("""memlens_process_memory_rss_bytes{pid="777",process_name="payments",runtime="go"} 123456789""", text, StringComparison.Ordinal);
    }

    [Fact]
    public void MapMemLensMetrics_without_AddMemLens_says_what_is_missing()
    {
        var app = WebApplication.CreateBuilder().Build();
        var error = Assert.Throws<InvalidOperationException>(() => app.MapMemLensMetrics());
        Assert.Contains("AddMemLens", error.Message, StringComparison.Ordinal);
    }

    private static async Task WaitForAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "MemLens sampled nothing within 20 s");
            await Task.Delay(50);
        }
    }
}
