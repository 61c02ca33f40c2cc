using MemLens.Events;
using MemLens.OpenTelemetry;
using MemLens.Recording;
using Microsoft.Extensions.Hosting;

namespace MemLens.AspNetCore;

/// <summary>
/// Starts sampling (and recording, with <see cref="MemLensOptions.RecordTo"/>, and pushing over OTLP, with
/// <see cref="MemLensOptions.Otlp"/>) when the host starts; stops recording with its last flush and pushing with its last
/// push when the host stops. The container disposes the monitor.
/// </summary>
internal sealed class MemLensHostedService(MemLensMonitor monitor) : IHostedService, IDisposable
{
    private Recorder? _recorder;
    private MemLensOtlpExporter? _otlp;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        monitor.Start();
        if (monitor.Options.RecordTo is { Length: > 0 } path)
        {
            try
            {
                var facts = new Dictionary<string, string>(monitor.Facts) { [RecordingFacts.MemLensCommand] = "in-process" };
                _recorder = Recorder.Start(monitor.Store, path, facts, new RecorderOptions { MaxBytes = monitor.Options.RecordMaxBytes });
                _recorder.Failed += reason => Note("recording.error", $"Recording to {path} stopped: {reason}");
                var recorder = _recorder;
                monitor.AddSinkStatus(() => new SinkStatus("recording", recorder.State.ToWord(), recorder.LastError));
            }
#pragma warning disable CA1031 // In-process, a recording that cannot start must never stop the application.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                Note("recording.error", $"Not recording to {path}: {ex.Message}");
            }
        }

        if (monitor.Options.Otlp is { } otlp)
        {
            try
            {
                var exporter = MemLensOtlpExporter.Start(monitor.Store, monitor.Target.ToExported(), otlp);
                // Once per outage, not per failed push: a collector down for a day is one event, not 8,640.
                exporter.Failed += message => Note("otlp.error", message);
                exporter.Recovered += () => Note("otlp.recovered", $"OTLP export to {exporter.Endpoint} works again.");
                _otlp = exporter;
            }
#pragma warning disable CA1031 // In-process, pushing that cannot start must never stop the application.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                Note("otlp.error", $"Not pushing to {otlp.Endpoint}: {ex.Message}");
            }
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        Dispose();
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        _recorder?.Dispose();
        _recorder = null;
        _otlp?.Dispose();
        _otlp = null;
    }

    private void Note(string type, string message) =>
        monitor.RecordEvent(new NoteEvent(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), type, message));
}
