using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text.Json;
using Xunit;

namespace MemLens.EndToEnd.Tests;

/// <summary>
/// `memlens watch` and `memlens demo` serve the dashboard by default: the real tool, the real workload, the real
/// HTTP API (docs/dashboard-api.md). The page itself is tested elsewhere.
/// </summary>
public sealed class DashboardCommandTests
{
    private static readonly TimeSpan s_start = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan s_stop = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task Watch_serves_the_dashboard_of_a_pid_on_loopback_until_interrupted()
    {
        await using var demo = await DemoProcess.StartAsync("--scenario", "idle");
        await using var tool = RunningTool.Start("watch", Pid(demo.Pid), "--no-browser");
        var url = new Uri(await tool.WaitForLineAsync("Dashboard:", s_start));
        Assert.Equal("127.0.0.1", url.Host);
        Assert.Empty(url.Fragment); // no token on loopback
        Assert.Contains($"PID {demo.Pid}", await tool.WaitForLineAsync("Watching:", s_start), StringComparison.Ordinal);

        using var http = NewHttpClient();
        using (var catalog = await GetJsonAsync(http, new Uri(url, "api/catalog")))
        {
            var target = catalog.RootElement.GetProperty("target");
            Assert.Equal(demo.Pid, target.GetProperty("pid").GetInt32());
            Assert.False(target.GetProperty("inProcess").GetBoolean());
            Assert.Equal("dotnet", target.GetProperty("runtime").GetString());
        }

        var rss = await WaitForRssAsync(http, url);
        Assert.InRange(rss, 16L * 1024 * 1024, 4L * 1024 * 1024 * 1024); // the idle demo holds a touched 32 MiB

        Assert.Equal(0, await tool.InterruptAsync(s_stop));
        Assert.Contains("stopped after", tool.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", tool.Stderr, StringComparison.Ordinal);
        await Assert.ThrowsAsync<HttpRequestException>(() => http.GetAsync(new Uri(url, "api/catalog")));
    }

    [Fact]
    public async Task Watch_with_the_dashboard_ends_with_exit_code_5_when_the_process_exits()
    {
        await using var demo = await DemoProcess.StartAsync("--scenario", "idle", "--duration", "3s");
        await using var tool = RunningTool.Start("watch", Pid(demo.Pid), "--no-browser");
        await tool.WaitForLineAsync("Dashboard:", s_start);
        Assert.Equal(5, await tool.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains($"process {demo.Pid} exited", tool.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Demo_serves_the_workloads_own_dashboard_whose_release_action_reports_before_and_after()
    {
        await using var tool = RunningTool.Start("demo", "--no-browser", "--scenario", "idle");
        var url = new Uri(await tool.WaitForLineAsync("Dashboard:", s_start));
        Assert.Equal("127.0.0.1", url.Host);
        int childPid = int.Parse(
            (await tool.WaitForLineAsync("Watching:", s_start)).Split(' ', ',')[1], CultureInfo.InvariantCulture);

        using var http = NewHttpClient();
        using (var catalog = await GetJsonAsync(http, new Uri(url, "api/catalog")))
        {
            var target = catalog.RootElement.GetProperty("target");
            Assert.Equal(childPid, target.GetProperty("pid").GetInt32());
            Assert.True(target.GetProperty("inProcess").GetBoolean());
            Assert.Contains(catalog.RootElement.GetProperty("actions").EnumerateArray(), a => a.GetProperty("id").GetString() == "release");
        }

        using (var response = await http.PostAsync(new Uri(url, "api/actions/release"), content: null))
        {
            string body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{response.StatusCode}: {body}");
            using var result = JsonDocument.Parse(body);
            Assert.True(result.RootElement.GetProperty("before").GetProperty("rss").GetInt64() > 0);
            Assert.True(result.RootElement.GetProperty("after").GetProperty("rss").GetInt64() > 0);
        }

        // The workload maps MapMemLensMetrics beside its dashboard, and memlens says where.
        var metrics = new Uri(await tool.WaitForLineAsync("Prometheus:", s_start));
        Assert.Equal(new Uri(url, "/metrics"), metrics);
        Assert.Contains($"memlens_process_memory_rss_bytes{{pid=\"{childPid}\",process_name=\"MemLens.Demo\",runtime=\"dotnet\"}}",
            await http.GetStringAsync(metrics), StringComparison.Ordinal);

        Assert.Equal(0, await tool.InterruptAsync(s_stop));
        Assert.Contains("stopped after", tool.Stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists($"/proc/{childPid}"), "the demo workload still runs after memlens stopped");
    }

    [Fact]
    public async Task Watch_on_another_address_prints_a_token_that_the_api_requires()
    {
        await using var demo = await DemoProcess.StartAsync("--scenario", "idle");
        await using var tool = RunningTool.Start("watch", Pid(demo.Pid), "--bind", "0.0.0.0", "--no-browser");
        var url = new Uri(await tool.WaitForLineAsync("Dashboard:", s_start));
        string token = await tool.WaitForLineAsync("Access token:", s_start);
        Assert.Matches("^[A-Za-z0-9_-]{20,}$", token);
        Assert.Equal("#token=" + token, url.Fragment);
        Assert.Contains("reachable from the network", tool.Stderr, StringComparison.Ordinal);

        // The URL names this machine; ask through loopback, which 0.0.0.0 includes, so the test does not depend on DNS.
        var catalogUrl = new Uri($"http://127.0.0.1:{url.Port}/api/catalog");
        using var http = NewHttpClient();
        using (var denied = await http.GetAsync(catalogUrl))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, denied.StatusCode);
            using var error = JsonDocument.Parse(await denied.Content.ReadAsStringAsync());
            Assert.True(error.RootElement.GetProperty("tokenRequired").GetBoolean());
        }

        using var request = new HttpRequestMessage(HttpMethod.Get, catalogUrl);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using (var allowed = await http.SendAsync(request))
        {
            Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        }

        Assert.Equal(0, await tool.InterruptAsync(s_stop));
    }

    [Fact]
    public async Task Watch_on_a_busy_port_says_so_in_one_line_with_exit_code_1()
    {
        await using var demo = await DemoProcess.StartAsync("--scenario", "idle");
        using var busy = new TcpListener(IPAddress.Loopback, 0);
        busy.Start();
        int port = ((IPEndPoint)busy.LocalEndpoint).Port;

        var (code, stdout, stderr) = await ToolProcess.RunAsync(TimeSpan.FromSeconds(60),
            "watch", Pid(demo.Pid), "--no-browser", "--port", Pid(port));
        Assert.Equal(1, code);
        Assert.Empty(stdout);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains(Pid(port), line, StringComparison.Ordinal);
        Assert.Contains("--port 0", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Watch_on_an_address_this_machine_does_not_have_says_so_in_one_line_with_exit_code_1()
    {
        await using var demo = await DemoProcess.StartAsync("--scenario", "idle");
        // 192.0.2.0/24 is reserved for documentation (RFC 5737): no machine has it.
        var (code, _, stderr) = await ToolProcess.RunAsync(TimeSpan.FromSeconds(60),
            "watch", Pid(demo.Pid), "--no-browser", "--bind", "192.0.2.1");
        Assert.Equal(1, code);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("192.0.2.1", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Demo_on_a_busy_port_reports_the_workloads_error_line_with_exit_code_1()
    {
        using var busy = new TcpListener(IPAddress.Loopback, 0);
        busy.Start();
        int port = ((IPEndPoint)busy.LocalEndpoint).Port;

        var (code, _, stderr) = await ToolProcess.RunAsync(TimeSpan.FromSeconds(60),
            "demo", "--no-browser", "--scenario", "idle", "--port", Pid(port));
        Assert.Equal(1, code);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains($"127.0.0.1:{port}", line, StringComparison.Ordinal);
        Assert.Contains("already in use", line, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("--port 0", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Watch_with_tui_shows_the_terminal_view_and_serves_nothing()
    {
        await using var demo = await DemoProcess.StartAsync("--scenario", "idle");
        var (code, stdout, stderr) = await ToolProcess.RunAsync(TimeSpan.FromSeconds(60),
            "watch", Pid(demo.Pid), "--tui", "--duration", "2s");
        Assert.True(code == 0, stderr);
        AssertTerminalView(stdout);
    }

    [Fact]
    public async Task Demo_with_tui_watches_the_workload_in_the_terminal()
    {
        var (code, stdout, stderr) = await ToolProcess.RunAsync(TimeSpan.FromSeconds(60),
            "demo", "--scenario", "idle", "--tui", "--duration", "2s");
        Assert.True(code == 0, stderr);
        Assert.Contains("demo workload 'idle' started as PID", stderr, StringComparison.Ordinal);
        AssertTerminalView(stdout);
    }

    // What the live view writes into a pipe depends on the size Spectre assumes for it (frames may be cut to "…"),
    // but it always drives the terminal with escape sequences; the dashboard modes print plain lines.
    private static void AssertTerminalView(string stdout)
    {
        Assert.DoesNotContain("Dashboard:", stdout, StringComparison.Ordinal);
        Assert.Contains("\u001b[", stdout, StringComparison.Ordinal);
    }

    private static string Pid(int pid) => pid.ToString(CultureInfo.InvariantCulture);

    private static HttpClient NewHttpClient() => new() { Timeout = TimeSpan.FromSeconds(20) };

    private static async Task<JsonDocument> GetJsonAsync(HttpClient http, Uri url)
    {
        using var response = await http.GetAsync(url);
        string body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {url}: {response.StatusCode}: {body}");
        return JsonDocument.Parse(body);
    }

    // The first sample may not be in the store yet right after start-up.
    private static async Task<double> WaitForRssAsync(HttpClient http, Uri dashboard)
    {
        var url = new Uri(dashboard, "api/series?ids=process.memory.rss");
        for (int attempt = 0; attempt < 50; attempt++)
        {
            using var series = await GetJsonAsync(http, url);
            if (series.RootElement.GetProperty("series").TryGetProperty("process.memory.rss", out var rss)
                && rss.GetProperty("v").EnumerateArray().LastOrDefault(v => v.ValueKind == JsonValueKind.Number) is { ValueKind: JsonValueKind.Number } value)
            {
                return value.GetDouble(); // a bucket's mean
            }

            await Task.Delay(200);
        }

        throw new TimeoutException($"api/series had no process.memory.rss value after 10 s");
    }
}
