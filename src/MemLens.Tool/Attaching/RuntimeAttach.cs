using MemLens.Diagnostics.Attach;
using MemLens.Procfs;
using MemLens.Sampling;

namespace MemLens.Tool.Attaching;

/// <summary>The runtime's own view of a watched process, when memlens can get it from outside.</summary>
internal static class RuntimeAttach
{
    /// <summary>
    /// An EventPipe source for a .NET process (it attaches in the background and reports its own failures in the
    /// sources' status), nothing for other runtimes. Notes say what is left out and why.
    /// </summary>
    /// <param name="goPprof">True when the Go runtime's MemStats are polled (--go-pprof): a Go process then gets no "OS figures only" note.</param>
    public static IReadOnlyList<IMetricSource> SourcesFor(int pid, TimeSpan interval, List<string> notes, RuntimeCounters counters = RuntimeCounters.Auto, bool goPprof = false)
    {
        var info = ProcessTable.Read(pid, new ProcessTableOptions { ReadPss = false, DetectRuntime = true });
        if (info?.Runtime == ProcessRuntime.DotNet)
        {
            var source = new EventPipeRuntimeSource(pid, interval, new RuntimeSessionOptions { Counters = counters });
            // Attaching runs in the background; when it fails, people are told once (the dashboard's status strip
            // shows it too), and the OS figures go on.
            _ = source.Connected.ContinueWith(_ =>
            {
                if (source.Failure is { } failure)
                {
                    Console.Error.WriteLine("memlens: no runtime figures: " + failure);
                }
            }, TaskScheduler.Default);
            return [source];
        }

        if (info is not null && !(goPprof && info.Runtime == ProcessRuntime.Go))
        {
            notes.Add(info.Runtime == ProcessRuntime.Go
                ? $"PID {pid} is a Go program: operating-system figures only; add --go-pprof http://127.0.0.1:PORT if it serves net/http/pprof or expvar (its GC trace comes with `memlens run`)."
                : $"PID {pid} is not a .NET process: operating-system figures only.");
        }

        return [];
    }
}
