using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using Xunit;

namespace MemLens.EndToEnd.Tests.Fleet;

/// <summary>The export options of watch and run: what they refuse, and the metrics endpoint's guard off loopback.</summary>
public sealed class ExportCommandTests
{
    [Theory]
    [InlineData("--metrics-port 65536", "--metrics-port takes a number from 0 to 65535")]
    [InlineData("--metrics-bind 0.0.0.0", "add --metrics-port N")]
    [InlineData("--metrics-port 0 --metrics-bind example.org", "--metrics-bind takes an IP address")]
    [InlineData("--otlp ftp://collector:4318", "--otlp takes the collector's http(s) address")]
    [InlineData("--otlp-interval 5s", "add --otlp URL")]
    [InlineData("--otlp http://127.0.0.1:4318 --otlp-interval 100ms", "--otlp-interval takes a time from 1s to 10m")]
    [InlineData("--otlp http://127.0.0.1:4318 --otlp-header novalue", "--otlp-header takes NAME=VALUE")]
    public async Task Bad_export_options_are_refused_in_one_line(string options, string said)
    {
        var (code, stdout, stderr) = await ToolProcess.RunAsync(TimeSpan.FromSeconds(60), ["watch", "1", "--json-lines", .. options.Split(' ')]);
        Assert.Equal(2, code);
        Assert.Empty(stdout);
        Assert.Contains(said, stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Off_loopback_the_metrics_endpoint_needs_the_printed_token()
    {
        await using var demo = await DemoProcess.StartAsync("--scenario", "idle");
        await using var tool = RunningTool.Start("watch", demo.Pid.ToString(CultureInfo.InvariantCulture), "--json-lines", "--no-record",
            "--metrics-port", "0", "--metrics-bind", "0.0.0.0");
        string said = await tool.WaitForStderrLineAsync("memlens: Prometheus metrics at ", TimeSpan.FromSeconds(60));
        // "http://host:port/metrics (bearer token XYZ)"
        var url = new Uri(said.Split(' ')[0]);
        string token = said.Split("(bearer token ")[1].TrimEnd(')');
        Assert.Equal(Dns.GetHostName(), url.Host);
        var local = new Uri($"http://127.0.0.1:{url.Port}/metrics");

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        using (var refused = await http.GetAsync(local))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
            Assert.Equal("Bearer", refused.Headers.WwwAuthenticate.ToString());
        }

        using var request = new HttpRequestMessage(HttpMethod.Get, local);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains($"memlens_process_memory_rss_bytes{{pid=\"{demo.Pid}\"", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_demo_guards_its_metrics_with_its_dashboard_token()
    {
        await using var demo = await DemoProcess.StartAsync("--scenario", "idle", "--listen", "127.0.0.1:0", "--token", "scrape-me");
        var metrics = new Uri(demo.DashboardUrl!, "/metrics");
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };

        using (var refused = await http.GetAsync(metrics))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        }

        using var request = new HttpRequestMessage(HttpMethod.Get, metrics);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "scrape-me");
        using var response = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task A_busy_metrics_port_is_one_line_and_exit_code_1()
    {
        using var busy = new TcpListener(IPAddress.Loopback, 0);
        busy.Start();
        int port = ((IPEndPoint)busy.LocalEndpoint).Port;
        await using var demo = await DemoProcess.StartAsync("--scenario", "idle");

        var (code, _, stderr) = await ToolProcess.RunAsync(TimeSpan.FromSeconds(60),
            "watch", demo.Pid.ToString(CultureInfo.InvariantCulture), "--json-lines", "--no-record", "--metrics-port", port.ToString(CultureInfo.InvariantCulture));

        Assert.Equal(1, code);
        Assert.Contains($"port {port} on 127.0.0.1 is already in use; choose another with --metrics-port", stderr, StringComparison.Ordinal);
    }
}
