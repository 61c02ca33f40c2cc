namespace MemLens.Demo;

/// <summary>
/// The one way the demo ends: --duration, SIGTERM, SIGINT or the "exit" command all come here,
/// and the first one's reason is what the goodbye line reports.
/// </summary>
internal sealed class StopRequest : IDisposable
{
    private readonly CancellationTokenSource _source = new();
    private string? _reason;
    private Timer? _deadline;

    public CancellationToken Token => _source.Token;

    public string Reason => Volatile.Read(ref _reason) ?? "stopped";

    public void Request(string reason)
    {
        Interlocked.CompareExchange(ref _reason, reason, null);
        try
        {
            _source.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // A signal arriving while the process is already shutting down: nothing left to stop.
        }
    }

    public void RequestAfter(TimeSpan duration, string reason) =>
        _deadline = new Timer(_ => Request(reason), null, duration, Timeout.InfiniteTimeSpan);

    public void Dispose()
    {
        _deadline?.Dispose();
        _source.Dispose();
    }
}
