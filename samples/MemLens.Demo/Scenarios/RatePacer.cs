using System.Diagnostics;

namespace MemLens.Demo.Scenarios;

/// <summary>
/// Says how many bytes a scenario should allocate now to keep an average rate. Debt is limited to
/// one second's worth so that a stall (a long GC, a stopped process) is not followed by a burst
/// that would show on MemLens as a spike nobody asked for.
/// </summary>
internal sealed class RatePacer(double bytesPerSecond)
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private double _done;

    public long Due()
    {
        var target = bytesPerSecond * _clock.Elapsed.TotalSeconds;
        _done = Math.Max(_done, target - bytesPerSecond);
        return (long)(target - _done);
    }

    public void Done(long bytes) => _done += bytes;
}
