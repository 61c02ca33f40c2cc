using System.CommandLine;
using MemLens.Diagnostics.Attach;

namespace MemLens.Tool.Cli;

/// <summary><c>--runtime-counters</c>: where an attached .NET process's periodic figures come from.</summary>
internal static class RuntimeCountersOption
{
    public static Option<RuntimeCounters> Create()
    {
        var option = new Option<RuntimeCounters>("--runtime-counters")
        {
            Description = "For a .NET process: read committed memory and generation sizes from the runtime's System.Runtime meter " +
                          "(meter, .NET 9+) or its EventCounters (event-counters, any .NET; fewer figures). Default: auto, the meter " +
                          "unless the runtime is known to be older than .NET 9.",
            DefaultValueFactory = _ => RuntimeCounters.Auto,
            CustomParser = r => (r.Tokens.Count > 0 ? r.Tokens[0].Value : "") switch
            {
                "auto" => RuntimeCounters.Auto,
                "meter" => RuntimeCounters.Meter,
                "event-counters" => RuntimeCounters.EventCounters,
                var other => Fail(r, other),
            },
        };
        option.CompletionSources.Add("auto", "meter", "event-counters");
        return option;
    }

    private static RuntimeCounters Fail(System.CommandLine.Parsing.ArgumentResult r, string text)
    {
        r.AddError($"'{text}' is not one of auto, meter, event-counters.");
        return RuntimeCounters.Auto;
    }
}
