using System.CommandLine;
using System.CommandLine.Parsing;
using MemLens.Formatting;

namespace MemLens.Tool.Cli;

/// <summary>Options shared by the verbs that watch something (watch, demo; later run, trace, doctor).</summary>
internal sealed class CommonOptions
{
    public Option<TimeSpan?> Duration { get; } = new("--duration", "-d")
    {
        Description = "Stop after this long, e.g. 30s, 5m, 1h. Default: until Ctrl+C or the process exits.",
        CustomParser = ParseDuration,
    };

    public Option<TimeSpan?> Interval { get; } = new("--interval", "-i")
    {
        Description = "Sampling interval, 100ms to 1m, e.g. 1s, 500ms. Default: 1s.",
        CustomParser = ParseDuration,
    };

    public Option<bool> JsonLines { get; } = new("--json-lines")
    {
        Description = "Print one JSON object per sample on stdout instead of the dashboard or the live view: " +
                      "{\"t\": ISO-8601 UTC, \"pid\": N, \"metrics\": {name: value in base units}, \"events\": [...]}.",
    };

    public void AddTo(Command command)
    {
        command.Options.Add(Duration);
        command.Options.Add(Interval);
        command.Options.Add(JsonLines);
    }

    private static TimeSpan? ParseDuration(ArgumentResult result)
    {
        string text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
        if (!Durations.TryParse(text, out var value) || value <= TimeSpan.Zero)
        {
            result.AddError($"'{text}' is not a duration; use e.g. 500ms, 30s, 5m, 1h.");
            return null;
        }

        // The dashboard's sampler takes 100 ms to 1 min; the terminal views keep to the same range.
        if ((value < TimeSpan.FromMilliseconds(100) || value > TimeSpan.FromMinutes(1)) && result.Parent is OptionResult { Option.Name: "--interval" })
        {
            result.AddError("The interval must be between 100ms and 1m.");
            return null;
        }

        return value;
    }
}
