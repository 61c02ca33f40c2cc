using Microsoft.Playwright;

namespace MemLens.EndToEnd.Tests.Dashboard;

/// <summary>
/// A page opened from a file with every other request refused and recorded, and the page's errors kept: how a
/// report must open when mailed to someone with no server and no network.
/// </summary>
internal sealed class OfflinePage
{
    private OfflinePage(IPage page, string url)
    {
        Page = page;
        Url = url;
    }

    public IPage Page { get; }

    public string Url { get; }

    /// <summary>Every URL the page asked for, the file itself included.</summary>
    public List<string> Requests { get; } = [];

    /// <summary>Uncaught errors and console errors.</summary>
    public List<string> Errors { get; } = [];

    public static async Task<OfflinePage> OpenAsync(Chromium chromium, string file)
    {
        string url = new Uri(file).AbsoluteUri;
        var offline = new OfflinePage(await chromium.NewPageAsync(), url);
        offline.Page.Request += (_, r) => offline.Requests.Add(r.Url);
        offline.Page.PageError += (_, e) => offline.Errors.Add(e);
        offline.Page.Console += (_, m) =>
        {
            if (m.Type == "error")
            {
                offline.Errors.Add(m.Text);
            }
        };
        // Anything but the file itself is refused (and counted, above).
        await offline.Page.RouteAsync("**/*", route => route.Request.Url == url ? route.ContinueAsync() : route.AbortAsync());
        await offline.Page.GotoAsync(url);
        return offline;
    }

    /// <summary>Charts shown whose canvas holds more than 2,000 drawn pixels: drawn with data, not just framed.</summary>
    public Task<int> DrawnChartsAsync() => Page.EvaluateAsync<int>(
        """
        () => [...document.querySelectorAll('[data-chart-id]:not([hidden]) canvas')].filter(c => {
          const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
          let n = 0;
          for (let i = 3; i < d.length; i += 4) if (d[i] !== 0) n++;
          return n > 2000;
        }).length
        """);
}
