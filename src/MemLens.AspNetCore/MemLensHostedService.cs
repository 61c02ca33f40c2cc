using MemLens.Events;
using MemLens.Recording;
using Microsoft.Extensions.Hosting;

namespace MemLens.AspNetCore;

/// <summary>
/// Starts sampling (and recording, with <see cref="MemLensOptions.RecordTo"/>) when the host starts; stops recording
/// with its last flush when the host stops. The container disposes the monitor.
/// </summary>
internal sealed class MemLensHostedService(MemLensMonitor monitor) : IHostedService, IDisposable
{
    private Recorder? _recorder;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        monitor.Start();
        if (monitor.Options.RecordTo is { Length: > 0 } path)
        {
            try
            {
                var facts = new Dictionary<string, string>(monitor.Facts) { [RecordingFacts.MemLensCommand] = "in-process" };
                _recorder = Recorder.Start(monitor.Store, path, facts, new RecorderOptions { MaxBytes = monitor.Options.RecordMaxBytes });
                _recorder.Failed += reason => Note($"Recording to {path} stopped: {reason}");
            }
#pragma warning disable CA1031 // In-process, a recording that cannot start must never stop the application.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                Note($"Not recording to {path}: {ex.Message}");
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
    }

    private void Note(string message) =>
        monitor.RecordEvent(new NoteEvent(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), "recording.error", message));
}
