using System.Globalization;
using MemLens.Formatting;
using MemLens.Recording;
using MemLens.Storage;
using MemLens.Tool.Cli;

namespace MemLens.Tool.Recording;

/// <summary>
/// A recording made by a tool verb: started beside the store it records, said on stderr, summed up at the end.
/// A default recording that cannot start is a warning (watching matters more); one asked for with --record is an error.
/// </summary>
internal sealed class ToolRecording : IDisposable
{
    private readonly Recorder _recorder;
    private bool _disposed;

    private ToolRecording(Recorder recorder) => _recorder = recorder;

    public string Path => _recorder.Path;

    /// <summary>Where the recording stands (recording, waiting on a full disk, stopped, closed), for a status line or the dashboard.</summary>
    public RecorderState State => _recorder.State;

    /// <summary>The recording's state as the dashboard's <c>api/status</c> shows it (e.g. paused on a full disk).</summary>
    public MemLens.AspNetCore.SinkStatus Status => new("recording", _recorder.State.ToWord(), _recorder.LastError);

    /// <summary>The recorder's last error on one line (the full disk's reason while <see cref="State"/> is DiskFull), or null.</summary>
    public string? LastError => _recorder.LastError;

    /// <summary>
    /// Starts recording <paramref name="store"/>; null with --no-record or when a default recording cannot start.
    /// Throws <see cref="RecordingException"/> when the recording asked for with --record cannot start.
    /// </summary>
    public static ToolRecording? Start(MetricStore store, RecordSettings? settings, IReadOnlyDictionary<string, string> facts)
    {
        if (settings is null)
        {
            return null;
        }

        try
        {
            string? folder = System.IO.Path.GetDirectoryName(settings.Path);
            if (!string.IsNullOrEmpty(folder))
            {
                Directory.CreateDirectory(folder);
            }

            var all = new Dictionary<string, string>(facts, StringComparer.Ordinal);
            foreach (var (key, value) in ToolFacts())
            {
                all.TryAdd(key, value);
            }

            var recorder = Recorder.Start(store, settings.Path, all, new RecorderOptions { MaxBytes = settings.MaxBytes });
            recorder.Failed += reason => Console.Error.WriteLine($"memlens: recording stopped: {reason}");
            // Once when the disk fills up, once when the recording caught up after it (the dashboard shows the same events).
            recorder.Notice += notice => Console.Error.WriteLine($"memlens: {TerminalText.Sanitize(notice)}");
            Console.Error.WriteLine($"memlens: recording to {Relative(settings.Path)}{(settings.Explicit ? "" : " (--no-record to turn off)")}");
            return new ToolRecording(recorder);
        }
        catch (Exception ex) when (ex is RecordingException or IOException or UnauthorizedAccessException)
        {
            if (settings.Explicit)
            {
                throw ex as RecordingException ?? new RecordingException($"cannot record to {settings.Path}: {ex.Message}", ex);
            }

            Console.Error.WriteLine($"memlens: not recording ({ex.Message}); --record PATH records elsewhere.");
            return null;
        }
    }

    /// <summary>
    /// Starts recording a watched process's store with its facts (read from /proc when <paramref name="facts"/> is
    /// null). False (and the reason said) only when a recording asked for with --record cannot start: the caller
    /// then stops with exit code 1.
    /// </summary>
    public static bool TryStartFor(int pid, MetricStore store, RecordSettings? settings, out ToolRecording? recording, IReadOnlyDictionary<string, string>? facts = null)
    {
        recording = null;
        if (settings is null)
        {
            return true;
        }

        try
        {
            recording = Start(store, settings, facts ?? MemLens.Procfs.ProcessFacts.Read(pid));
            return true;
        }
        catch (RecordingException ex)
        {
            Console.Error.WriteLine($"memlens: {ex.Message}");
            return false;
        }
    }

    /// <summary>A fact learned after the start (the exit code, the runtime once attached).</summary>
    public void SetFact(string key, string value) => _recorder.SetFact(key, value);

    /// <summary>The last flush, the file closed, and one line saying what was kept.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _recorder.Dispose();
        string lost = _recorder.EventsLost > 0 ? $", {_recorder.EventsLost:N0} events lost" : "";
        string error = _recorder.LastError is { } e ? $" (last error: {e})" : "";
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"memlens: recorded {_recorder.ValuesWritten:N0} values and {_recorder.EventsWritten:N0} events to {Relative(Path)} ({ByteSize.Format(_recorder.BytesOnDisk)}){lost}{error}."));
    }

    /// <summary>What the recording says about how it was made.</summary>
    internal static IEnumerable<(string Key, string Value)> ToolFacts()
    {
        // memlens.version and recording.started are the recorder's own.
        yield return (RecordingFacts.MemLensCommand, string.Join(' ', Environment.GetCommandLineArgs().Skip(1).Prepend("memlens")));
        yield return (RecordingFacts.HostName, Environment.MachineName);
        yield return (RecordingFacts.HostCpus, Environment.ProcessorCount.ToString(CultureInfo.InvariantCulture));
        if (HostMemory() is { } total)
        {
            yield return (RecordingFacts.HostMemoryBytes, total.ToString(CultureInfo.InvariantCulture));
        }
    }

    private static long? HostMemory()
    {
        try
        {
            foreach (string line in File.ReadLines("/proc/meminfo"))
            {
                if (line.StartsWith("MemTotal:", StringComparison.Ordinal)
                    && long.TryParse(line["MemTotal:".Length..].Replace("kB", "", StringComparison.Ordinal).Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out long kb))
                {
                    return kb * 1024;
                }
            }
        }
        catch (IOException)
        {
        }

        return null;
    }

    private static string Relative(string path)
    {
        string relative = System.IO.Path.GetRelativePath(Environment.CurrentDirectory, path);
        return relative.StartsWith("..", StringComparison.Ordinal) ? path : relative;
    }
}
