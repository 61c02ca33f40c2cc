using System.CommandLine;
using MemLens.Tool.Cli;

var parse = MemLensCli.Build().Parse(args);
if (UsageErrors.Of(parse) is { Count: > 0 } problems)
{
    // One line and exit code 2, instead of the parser's default of 1 plus the full help.
    Console.Error.WriteLine(UsageErrors.Line(parse, problems));
    return ExitCodes.Usage;
}

// The dashboard's first load sends the page, catalog, series, events, status and stream requests at once, and
// series and events are CPU-bound for tens of ms. With the pool's default minimum (one thread per core) the
// rest waited for new threads: median first paint with a day of history 501 → 385 ms with 16 (measured,
// docs/benchmarks.md). A process-wide setting, so it belongs to the tool, not to the library.
ThreadPool.GetMinThreads(out int workers, out int io);
ThreadPool.SetMinThreads(Math.Max(workers, 16), Math.Max(io, 16));

// On Ctrl+C or SIGTERM the action is cancelled and given this long to finish before the process ends anyway:
// `memlens demo` waits up to 5 s for its child to exit (then kills it), and stopping the dashboard takes up
// to 2 s. The library's default of 2 s would cut that short and leave the child running.
var invocation = new InvocationConfiguration { ProcessTerminationTimeout = TimeSpan.FromSeconds(10) };
return await parse.InvokeAsync(invocation).ConfigureAwait(false);
