using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using MemLens.Tests.Shared;

namespace MemLens.EndToEnd.Tests.Fleet;

/// <summary>
/// Debian's Prometheus server, started on 127.0.0.1 with a configuration written for the test, a storage folder of
/// its own and a 1 s scrape interval; queried over its HTTP API as Grafana would.
/// </summary>
internal sealed class PrometheusServer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _folder;
    private readonly StringBuilder _log = new();
    private readonly HttpClient _http;

    private PrometheusServer(Process process, string folder, Uri url)
    {
        _process = process;
        _folder = folder;
        Url = url;
        _http = new HttpClient { BaseAddress = url, Timeout = TimeSpan.FromSeconds(10) };
    }

    public Uri Url { get; }

    /// <summary>What the server logged (bounded), for failure messages.</summary>
    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    /// <summary>Starts Prometheus scraping each job's targets (<c>host:port</c>) every second, and waits until it is ready.</summary>
    public static async Task<PrometheusServer> StartAsync(IReadOnlyDictionary<string, string> jobs)
    {
        string folder = Directory.CreateTempSubdirectory("memlens-prometheus-").FullName;
        var config = new StringBuilder("global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\nscrape_configs:\n");
        foreach (var (job, target) in jobs)
        {
            config.Append(CultureInfo.InvariantCulture, $"  - job_name: {job}\n    static_configs:\n      - targets: ['{target}']\n");
        }

        string configFile = Path.Combine(folder, "prometheus.yml");
        await File.WriteAllTextAsync(configFile, config.ToString());

        int port = FreePort();
        var psi = new ProcessStartInfo(Promtool.Find("prometheus"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string arg in new[]
                 {
                     $"--config.file={configFile}",
                     $"--storage.tsdb.path={Path.Combine(folder, "data")}",
                     $"--web.listen-address=127.0.0.1:{port}",
                     "--storage.tsdb.retention.time=1h",
                     "--log.level=warn",
                 })
        {
            psi.ArgumentList.Add(arg);
        }

        var server = new PrometheusServer(Process.Start(psi)!, folder, new Uri($"http://127.0.0.1:{port}/"));
        server._process.OutputDataReceived += (_, e) => server.Keep(e.Data);
        server._process.ErrorDataReceived += (_, e) => server.Keep(e.Data);
        server._process.BeginOutputReadLine();
        server._process.BeginErrorReadLine();
        try
        {
            await server.WaitReadyAsync(TimeSpan.FromSeconds(60));
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// The raw samples of every series <paramref name="selector"/> selects over the last <paramref name="window"/>
    /// (a range-vector query, so each sample keeps its scrape timestamp).
    /// </summary>
    public async Task<IReadOnlyList<PromSeries>> QueryRangeVectorAsync(string selector, TimeSpan window)
    {
        string query = $"{selector}[{(int)window.TotalSeconds}s]";
        using var doc = JsonDocument.Parse(await _http.GetStringAsync("api/v1/query?query=" + Uri.EscapeDataString(query)));
        var root = doc.RootElement;
        if (root.GetProperty("status").GetString() != "success")
        {
            throw new InvalidOperationException($"Prometheus refused {query}: {root}");
        }

        var result = new List<PromSeries>();
        foreach (var series in root.GetProperty("data").GetProperty("result").EnumerateArray())
        {
            var labels = series.GetProperty("metric").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!);
            var samples = series.GetProperty("values").EnumerateArray()
                .Select(v => new PromSample(
                    (long)Math.Round(v[0].GetDouble() * 1000),
                    double.Parse(v[1].GetString()!, CultureInfo.InvariantCulture)))
                .ToList();
            result.Add(new PromSeries(labels, samples));
        }

        return result;
    }

    /// <summary>Evaluates an instant query; the status Prometheus answered with, its error, and how many series it returned.</summary>
    public async Task<(bool Ok, string? Error, int Series)> QueryAsync(string query)
    {
        using var response = await _http.GetAsync("api/v1/query?query=" + Uri.EscapeDataString(query));
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = doc.RootElement;
        if (root.GetProperty("status").GetString() != "success")
        {
            return (false, root.TryGetProperty("error", out var error) ? error.GetString() : root.ToString(), 0);
        }

        var data = root.GetProperty("data");
        return (true, null, data.GetProperty("resultType").GetString() is "vector" or "matrix" ? data.GetProperty("result").GetArrayLength() : 1);
    }

    /// <summary>Waits until <paramref name="selector"/> has samples, i.e. Prometheus has scraped them.</summary>
    public async Task<IReadOnlyList<PromSeries>> WaitForSeriesAsync(string selector, TimeSpan timeout)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var found = await QueryRangeVectorAsync(selector, TimeSpan.FromSeconds(30));
            if (found.Count > 0)
            {
                return found;
            }

            if (deadline.Elapsed > timeout)
            {
                string targets = await _http.GetStringAsync("api/v1/targets");
                throw new TimeoutException($"Prometheus has no {selector} after {timeout}. Targets: {targets} Log: {Log}");
            }

            await Task.Delay(250);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await ToolProcess.KillAndDisposeAsync(_process);
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // A file still held for a moment; the folder is under /tmp.
        }
    }

    private async Task WaitReadyAsync(TimeSpan timeout)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"prometheus exited with code {_process.ExitCode}: {Log}");
            }

            try
            {
                using var response = await _http.GetAsync("-/ready");
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            if (deadline.Elapsed > timeout)
            {
                throw new TimeoutException($"prometheus was not ready within {timeout}: {Log}");
            }

            await Task.Delay(100);
        }
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_log)
        {
            if (_log.Length < 32_000)
            {
                _log.AppendLine(line);
            }
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>One sample as Prometheus stored it: its scrape time (Unix ms) and value.</summary>
internal readonly record struct PromSample(long TimestampMs, double Value);

/// <summary>One series: its labels (with <c>__name__</c>, <c>job</c>, <c>instance</c>) and samples, oldest first.</summary>
internal sealed record PromSeries(IReadOnlyDictionary<string, string> Labels, IReadOnlyList<PromSample> Samples);
