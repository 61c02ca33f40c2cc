using MemLens.EndToEnd.Tests.Dashboard;
using Microsoft.Playwright;
using Xunit;

namespace MemLens.EndToEnd.Tests.Probes;

/// <summary>
/// The page under its own Content-Security-Policy in Debian's Chromium: it boots (its inline boot script is allowed by
/// hash) with no policy violation, and a page of another origin cannot frame it.
/// </summary>
[Collection(BrowserCollection.Name)]
public class PagePolicyBrowserTests(Chromium chromium, DemoDashboard demo)
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task The_page_runs_under_its_content_security_policy_without_a_violation()
    {
        var page = await chromium.NewPageAsync();
        var console = new List<string>();
        page.Console += (_, m) => console.Add(m.Text);
        await page.GotoAsync(demo.Url.ToString());
        await page.WaitForSelectorAsync("body[data-ready=\"1\"]", new() { Timeout = (float)s_wait.TotalMilliseconds });
        Assert.True(await page.EvaluateAsync<bool>("() => window.__memlensPreboot !== undefined"), "the inline boot script did not run");
        Assert.DoesNotContain(console, m => m.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase));
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Another_origin_cannot_frame_the_page()
    {
        var page = await chromium.NewPageAsync();
        var console = new List<string>();
        page.Console += (_, m) => console.Add(m.Text);
        var framed = page.WaitForConsoleMessageAsync(new() { Predicate = m => m.Text.Contains("frame", StringComparison.OrdinalIgnoreCase), Timeout = (float)s_wait.TotalMilliseconds });
        await page.SetContentAsync($"<iframe src=\"{demo.Url}\"></iframe>");
        var message = await framed;
        Assert.Contains("frame-ancestors", message.Text + " | " + string.Join(" | ", console), StringComparison.Ordinal);

        // The frame shows Chromium's error page, not the dashboard: nothing of it ran.
        var frame = Assert.Single(page.Frames, f => f != page.MainFrame);
        Assert.False(await frame.EvaluateAsync<bool>("() => document.querySelector('[data-chart-id]') !== null"));
        await page.Context.CloseAsync();
    }
}
