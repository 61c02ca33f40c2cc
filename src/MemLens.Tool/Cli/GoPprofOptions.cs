using System.CommandLine;
using MemLens.Go;
using MemLens.Sampling;

namespace MemLens.Tool.Cli;

/// <summary><c>--go-pprof URL</c> and <c>--allow-remote</c>: a Go program's runtime.MemStats from its own pprof or expvar endpoint.</summary>
internal sealed class GoPprofOptions
{
    public Option<string?> Url { get; } = new("--go-pprof")
    {
        Description = "Also poll a Go program's runtime.MemStats (Sys, HeapSys, HeapAlloc, HeapInuse, HeapIdle, HeapReleased, StackInuse, " +
                      "NextGC, NumGC, PauseTotalNs, GCCPUFraction) every interval from the net/http/pprof or expvar endpoint it already " +
                      "serves, e.g. http://127.0.0.1:6060 (tries /debug/pprof/heap?debug=1, then /debug/vars) or a URL ending in one " +
                      "of those paths. Loopback only unless --allow-remote.",
        HelpName = "URL",
    };

    public Option<bool> AllowRemote { get; } = new("--allow-remote")
    {
        Description = "Let --go-pprof poll a host other than this machine's loopback (its MemStats travel over plain HTTP).",
    };

    public void AddTo(Command command)
    {
        command.Options.Add(Url);
        command.Options.Add(AllowRemote);
        command.Validators.Add(r =>
        {
            string? url = r.GetValue(Url);
            if (url is null)
            {
                if (r.GetValue(AllowRemote))
                {
                    r.AddError("--allow-remote only applies to --go-pprof; give --go-pprof URL too.");
                }

                return;
            }

            if (!GoMemStatsEndpoint.TryCreate(url, r.GetValue(AllowRemote), out _, out string? error))
            {
                r.AddError("--go-pprof: " + error);
            }
        });
    }

    /// <summary>The MemStats source when --go-pprof was given (validated by the parser), else none.</summary>
    public IReadOnlyList<IMetricSource> Sources(ParseResult parse, TimeSpan interval) =>
        parse.GetValue(Url) is { } url && GoMemStatsEndpoint.TryCreate(url, parse.GetValue(AllowRemote), out var endpoint, out _)
            ? [new GoMemStatsSource(endpoint, interval)]
            : [];
}
