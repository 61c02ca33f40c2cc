using Xunit;

namespace MemLens.EndToEnd.Tests.Dashboard;

/// <summary>The demo workload (leak scenario) serving its own in-process dashboard, shared by a test class.</summary>
public sealed class DemoDashboard : IAsyncLifetime
{
    private DemoProcess? _demo;

    public Uri Url { get; private set; } = null!;

    internal DemoProcess Demo => _demo!;

    public async Task InitializeAsync()
    {
        _demo = await DemoProcess.StartAsync("--scenario", "leak", "--rate", "4", "--max-mb", "256", "--listen", "127.0.0.1:0");
        Url = _demo.DashboardUrl ?? throw new InvalidOperationException("the demo printed no dashboard line");
    }

    public async Task DisposeAsync()
    {
        if (_demo is not null)
        {
            await _demo.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class BrowserCollection : ICollectionFixture<Chromium>, ICollectionFixture<DemoDashboard>
{
    // Browser tests share one Chromium and one demo, and run one after another: two cores are not enough
    // for several browsers and the first-paint measurement must not compete with another page.
    public const string Name = "browser";
}
