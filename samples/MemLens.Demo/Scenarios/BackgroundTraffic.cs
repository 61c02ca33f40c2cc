namespace MemLens.Demo.Scenarios;

/// <summary>
/// A trickle of short-lived garbage, like a service still answering a few requests. Scenarios
/// whose point is elsewhere (spike, native-leak) run it so that GCs keep happening: without any
/// GC the runtime's figures are frozen at the last one and the charts would show nothing moving.
/// </summary>
internal sealed class BackgroundTraffic(double bytesPerSecond)
{
    public const double DefaultRateMiB = 1;

    private const int BufferBytes = 2048;

    private readonly RatePacer _pacer = new(bytesPerSecond);

    /// <summary>Allocates whatever the rate says is due since the last call, and drops it.</summary>
    public void Pump()
    {
        for (var due = _pacer.Due(); due > 0; due -= BufferBytes)
        {
            var buffer = new byte[BufferBytes];
            buffer[0] = 1;
            GC.KeepAlive(buffer);
            _pacer.Done(BufferBytes);
        }
    }
}
