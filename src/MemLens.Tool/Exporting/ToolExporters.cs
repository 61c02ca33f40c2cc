using MemLens.Exporting;
using MemLens.Procfs;
using MemLens.Storage;
using MemLens.Tool.Cli;
using MemLens.Tool.Commands;

namespace MemLens.Tool.Exporting;

/// <summary>
/// The exports a watching verb runs beside its store (--metrics-port, --otlp): started once the store exists, each
/// said on stderr, stopped when watching ends.
/// </summary>
internal sealed class ToolExporters : IAsyncDisposable
{
    private readonly MetricsEndpoint? _metrics;

    private ToolExporters(MetricsEndpoint? metrics)
    {
        _metrics = metrics;
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

        return (true, new ToolExporters(metrics));
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
        if (_metrics is not null)
        {
            await _metrics.DisposeAsync().ConfigureAwait(false);
        }
    }
}
