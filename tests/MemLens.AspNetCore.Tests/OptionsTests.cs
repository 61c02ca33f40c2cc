using System.Net;
using Microsoft.AspNetCore.Builder;
using Xunit;

namespace MemLens.AspNetCore.Tests;

public class OptionsTests
{
    [Fact]
    public void Dashboard_options_have_the_documented_defaults()
    {
        var o = new MemLensOptions();
        Assert.False(o.EnableActions);
        Assert.Equal(TimeSpan.FromSeconds(1), o.SampleInterval);
        Assert.Equal(8L * 1024 * 1024, o.HistoryBudgetBytes);
        Assert.Equal(20_000, o.MaxEvents);
        Assert.Equal(256, o.StreamQueueLength);
        Assert.Equal(32, o.MaxStreamClients);
        Assert.True(o.ReadSmapsRollup);
        Assert.Null(o.AccessToken);
        Assert.Null(o.Title);
        Assert.Equal(16, o.MaxSnapshots);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1001)]
    public void A_snapshot_bound_out_of_range_is_refused_with_its_name(int max)
    {
        var o = new MemLensOptions { MaxSnapshots = max };
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => MemLensMonitor.ForCurrentProcess(o));
        Assert.Equal("MaxSnapshots", ex.ParamName);
    }

    [Fact]
    public void Server_options_default_to_loopback_a_free_port_and_no_token()
    {
        var o = new MemLensServerOptions();
        Assert.Equal(IPAddress.Loopback, o.Address);
        Assert.Equal(0, o.Port);
        Assert.Null(o.AccessToken);
    }

    [Theory]
    [InlineData(50)]
    [InlineData(120_000)]
    public void A_sample_interval_out_of_range_is_refused_with_its_name(int milliseconds)
    {
        var o = new MemLensOptions { SampleInterval = TimeSpan.FromMilliseconds(milliseconds) };
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => MemLensMonitor.ForCurrentProcess(o));
        Assert.Equal("SampleInterval", ex.ParamName);
    }

    [Fact]
    public void Mapping_without_AddMemLens_says_what_is_missing()
    {
        var builder = Microsoft.AspNetCore.Builder.WebApplication.CreateBuilder();
        var app = builder.Build();
        var ex = Assert.Throws<InvalidOperationException>(() => app.MapMemLens());
        Assert.Contains("AddMemLens", ex.Message, StringComparison.Ordinal);
    }
}
