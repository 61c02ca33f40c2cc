using System.Diagnostics;
using MemLens.Actions;
using MemLens.Diagnostics.Attach;
using MemLens.Events;

namespace MemLens.Diagnostics.Actions;

/// <summary>
/// A full GC in another .NET process, from outside: an EventPipe session that enables the runtime provider's
/// GCHeapCollect keyword makes the runtime run a blocking gen2 GC as the session starts (what dotnet-gcdump and
/// dotnet-trace's gc-collect profile rely on). The same session's GC events say when it ended and what it freed.
/// </summary>
internal static class InducedCollection
{
    public static async Task<InducedGc> RunAsync(int processId, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var started = Stopwatch.StartNew();
        var done = new TaskCompletionSource<GcEvent>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var session = RuntimeEventSession.Open(processId, new RuntimeSessionOptions { InduceGc = true, GcEventsOnly = true, BufferMegabytes = 4 });
        session.GcEnded += gc =>
        {
            // The induced GC is the first gen2 GC whose reason says induced; a GC already running when the session
            // started ends first and is skipped.
            if (gc.Generation == 2 && gc.Reason is { } reason && reason.StartsWith("Induced", StringComparison.Ordinal))
            {
                done.TrySetResult(gc);
            }
        };
        session.Start();
        _ = session.Completion.ContinueWith(
            t => done.TrySetException(DiagnosticPort.Explain(processId, "induce a GC", t.Exception?.GetBaseException() ?? new EndOfStreamException("the event stream ended"))),
            CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);

        try
        {
            var gc = await done.Task.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
            return new InducedGc(gc, started.Elapsed);
        }
        catch (TimeoutException)
        {
            throw new TargetActionException($"PID {processId} did not report the induced GC within {timeout.TotalSeconds:0} s.", TargetActionFailure.Timeout);
        }
    }
}
