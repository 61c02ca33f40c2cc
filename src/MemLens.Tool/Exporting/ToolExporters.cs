using MemLens.Exporting;
using MemLens.Formatting;
using MemLens.OpenTelemetry;
using MemLens.Procfs;
using MemLens.Storage;
using MemLens.Tool.Cli;
using MemLens.Tool.Commands;

namespace MemLens.Tool.Exporting;

/// <summary>
/// The exports a watching verb runs beside its store (--metrics-port, --otlp): started once the store exists, each
/// said on stderr, stopped when watching ends (OTLP with a last push).
/// </summary>
internal sealed class ToolExporters : IAsyncDisposable
{
    private readonly MetricsEndpoint? _metrics;
    private readonly MemLensOtlpExporter? _otlp;

    private ToolExporters(MetricsEndpoint? metrics, MemLensOtlpExporter? otlp)
    {
        _metrics = metrics;
        _otlp = otlp;
    }

    /// <summary>The scrape URL, when --metrics-port serves one.</summary>
    public Uri? MetricsUrl => _metrics?.Url;

    /// <summary>
    /// Starts what <paramref name="settings"/> asks for over <paramref name="store"/>; returns null when nothing is
    /// asked for, and fails (one line on stderr, false) when the metrics port cannot be served: a scrape target that
    /// silently is not there would look like a dead process in Prometheus.
    /// </summary>
    public static async Task<(bool Ok, ToolExporters? Exporters)> TryStartAsync(MetricStore store, ExportedProcess process, ExportSettings? settings)
    {
        if (settings is null || !settings.Any)
        {
            return (true, null);
        }

        MetricsEndpoint? metrics = null;
        if (settings.Metrics is { } where)
        {
            metrics = await MetricsEndpoint.TryStartAsync(store, process, where).ConfigureAwait(false);
            if (metrics is null)
            {
                return (false, null);
            }

            string token = where.TokenGenerated ? $" (bearer token {where.Token})" : "";
            await Console.Error.WriteLineAsync($"memlens: Prometheus metrics at {metrics.Url}{token}").ConfigureAwait(false);
        }

        MemLensOtlpExporter? otlp = null;
        if (settings.Otlp is { } collector)
        {
            var options = new OtlpExportOptions { Endpoint = collector, ExportInterval = settings.OtlpInterval };
            foreach (var (name, value) in settings.OtlpHeaders)
            {
                options.Headers[name] = value;
            }

            try
            {
                otlp = MemLensOtlpExporter.Start(store, process, options);
            }
            catch (Exception ex) when (ex is ArgumentException or NotSupportedException or InvalidOperationException)
            {
                // E.g. the SDK's own OTEL_DOTNET_EXPERIMENTAL_OTLP_RETRY=disk without its folder: asked for, so an error.
                await Console.Error.WriteLineAsync($"memlens: cannot push OTLP to {collector}: {ex.Message.Split('\n')[0]}").ConfigureAwait(false);
                if (metrics is not null)
                {
                    await metrics.DisposeAsync().ConfigureAwait(false);
                }

                return (false, null);
            }

            // A collector that is down is said once per outage; watching goes on and the next push tries again.
            otlp.Failed += reason => Console.Error.WriteLine($"memlens: {reason}; retrying every {Durations.Format(settings.OtlpInterval)}.");
            otlp.Recovered += () => Console.Error.WriteLine($"memlens: OTLP export to {otlp.Endpoint} works again.");
            await Console.Error.WriteLineAsync($"memlens: pushing OTLP to {otlp.Endpoint} every {Durations.Format(settings.OtlpInterval)}").ConfigureAwait(false);
        }

        return (true, new ToolExporters(metrics, otlp));
    }

    /// <summary>The process as exports label it: its PID, program name and runtime.</summary>
    internal static ExportedProcess Identify(int pid)
    {
        var info = ProcessTable.Read(pid, new ProcessTableOptions { ReadPss = false, DetectRuntime = true });
        return new ExportedProcess(pid, info is null ? "process" : ProcessLookup.ProgramName(info),
            ProcessLookup.RuntimeName(info?.Runtime ?? ProcessRuntime.Other));
    }

    public async ValueTask DisposeAsync()
    {
        _otlp?.Dispose(); // pushes once more, bounded: the collector gets the last figures
        if (_metrics is not null)
        {
            await _metrics.DisposeAsync().ConfigureAwait(false);
        }
    }
}
