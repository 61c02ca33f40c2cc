using Microsoft.Diagnostics.NETCore.Client;
using Microsoft.Diagnostics.Tracing;

namespace MemLens.Diagnostics.Attach;

/// <summary>
/// One EventPipe session and the thread that parses it (TraceEvent's <c>Process()</c> blocks until the stream
/// ends). <see cref="Completion"/> ends when the target exits or the session is stopped.
/// </summary>
internal sealed class PipeReader : IDisposable
{
    private readonly EventPipeSession _session;
    private readonly Thread _thread;
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _disposed;

    public PipeReader(int processId, EventPipeSession session, string name)
    {
        _session = session;
        // Reads the trace's header from the stream: returns once the runtime has sent it.
        Source = new EventPipeEventSource(session.EventStream);
        _thread = new Thread(Run) { IsBackground = true, Name = $"memlens {name} {processId}" };
    }

    public EventPipeEventSource Source { get; }

    public Task Completion => _completion.Task;

    /// <summary>Starts parsing; wire the handlers on <see cref="Source"/> first.</summary>
    public void Start() => _thread.Start();

    private void Run()
    {
        try
        {
            Source.Process();
            _completion.TrySetResult();
        }
#pragma warning disable CA1031 // Reported through Completion; the owner decides what to say.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            if (Volatile.Read(ref _disposed) != 0 || ex is EndOfStreamException)
            {
                _completion.TrySetResult(); // how the stream ends when the process exits or the session stops
            }
            else
            {
                _completion.TrySetException(ex);
            }
        }
    }

    /// <summary>Stops the session (the runtime stops writing) and waits briefly for the reader to drain.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        try
        {
            _session.Stop();
        }
#pragma warning disable CA1031 // The process may be gone already; stopping is best effort.
        catch (Exception)
#pragma warning restore CA1031
        {
        }

        if (_thread.IsAlive)
        {
            _thread.Join(TimeSpan.FromSeconds(2));
        }

        Source.Dispose();
        _session.Dispose();
    }
}
