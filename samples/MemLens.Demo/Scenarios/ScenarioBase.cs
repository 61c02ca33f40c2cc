using MemLens.Demo.Output;

namespace MemLens.Demo.Scenarios;

/// <summary>Shared bookkeeping: thread-safe held-byte counters, the phase, and stderr messages.</summary>
internal abstract class ScenarioBase(string name) : IScenario
{
    /// <summary>How often scenarios wake up to allocate what their rate says is due.</summary>
    protected static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(50);

    private long _managed;
    private long _native;
    private volatile string _phase = "starting";

    public string Name { get; } = name;

    public string Phase => _phase;

    public long ManagedBytesHeld => Interlocked.Read(ref _managed);

    public long NativeBytesHeld => Interlocked.Read(ref _native);

    public virtual void Prepare()
    {
    }

    public abstract Task RunAsync(CancellationToken cancellationToken);

    protected void AddManaged(long bytes) => Interlocked.Add(ref _managed, bytes);

    protected void AddNative(long bytes) => Interlocked.Add(ref _native, bytes);

    protected void SetPhase(string phase) => _phase = phase;

    /// <summary>A one-off event worth telling the person watching (cap reached, spike dropped).</summary>
    protected void Say(string message) => ConsoleLines.Human($"[{Name}] {message}");

    /// <summary>Waits one tick; false once the run is cancelled, so loops read <c>while (await NextTickAsync(ct))</c>.</summary>
    protected static async Task<bool> NextTickAsync(CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(Tick, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>Does nothing until the run is cancelled: the quiet end of scenarios that have done their part.</summary>
    protected static async Task WaitForStopAsync(CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
    }
}
