using System.Net;
using System.Net.Sockets;
using MemLens.Exporting;
using MemLens.Metrics;
using MemLens.Storage;
using MemLens.Tests.Shared.Otlp;

namespace MemLens.OpenTelemetry.Tests;

/// <summary>What the exporter tests share: stores with known values, free ports, and waiting for a push.</summary>
internal static class Pushes
{
    public static readonly TimeSpan Wait = TimeSpan.FromSeconds(5);

    /// <summary>A value no other metric has, in the metric's own scale: bytes in MiB and a half, ratios below 1.</summary>
    public static double KnownValue(MetricDescriptor metric) => metric.Unit switch
    {
        MetricUnit.Bytes => ((metric.Id + 1) * 1_048_576.0) + 0.5,
        MetricUnit.Count => (metric.Id + 1) * 10.0,
        MetricUnit.Seconds => (metric.Id + 1) * 0.125,
        MetricUnit.Ratio => (metric.Id + 1) / 1000.0,
        _ => throw new ArgumentOutOfRangeException(nameof(metric)),
    };

    /// <summary>A store whose given metrics have two values each, the newer one <see cref="KnownValue"/> (times <paramref name="scale"/>).</summary>
    public static MetricStore Store(IEnumerable<MetricDescriptor> metrics, double scale = 1)
    {
        var store = new MetricStore();
        long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        foreach (var metric in metrics)
        {
            store.Append(metric, now - 1000, 1);
            store.Append(metric, now, KnownValue(metric) * scale);
        }

        return store;
    }

    public static OtlpExportOptions Options(Uri endpoint) => new() { Endpoint = endpoint, ExportInterval = TimeSpan.FromSeconds(1) };

    /// <summary>A port nothing listens on (bound, read and released).</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>The first push that carries <paramref name="process"/>'s figures.</summary>
    public static Task<OtlpExportRequest> From(this OtlpReceiver receiver, ExportedProcess process) =>
        receiver.NextAsync(r => r.ResourceMetrics.Any(rm => Equals(rm.Attributes.GetValueOrDefault("process.pid"), (long)process.ProcessId)), Wait);
}
