using MemLens.Formatting;
using System.Globalization;
using MemLens.Demo.Scenarios;

namespace MemLens.Demo;

/// <summary>
/// Turns argv into <see cref="DemoOptions"/>. Hand-written rather than System.CommandLine so the demo
/// stays free of package references and starts fast (end-to-end tests start it many times).
/// </summary>
internal static class DemoOptionsParser
{
    /// <summary>Environment variable read for the dashboard token when --token is not given.</summary>
    public const string TokenVariable = "MEMLENS_DEMO_TOKEN";

    public const string Usage = """
        Usage: MemLens.Demo [--scenario NAME] [--rate N] [--max-mb N] [--duration TIME] [--listen ADDR:PORT [--token T] [--record FILE]]

        A workload for MemLens to watch. Scenarios:
          steady         short-lived garbage at --rate MiB/s (default 32) over a small stable live set; RSS flat
          leak           LeakedOrder objects kept forever in a static list, --rate MiB/s (default 2), up to --max-mb
          spike          hold min(400 MiB, --max-mb) for 10 s, drop it without collecting, idle; repeats every 60 s
          native-leak    NativeMemory.Alloc never freed, every page touched, --rate MiB/s (default 2), up to --max-mb
          fragmentation  LOH and pinned arrays interleaved, every other one freed, --rate MiB/s (default 16)
          idle           a touched 32 MiB live set (at most --max-mb) allocated once, then nothing

        Options:
          -s, --scenario NAME   scenario to run (default: steady)
          -r, --rate N          allocation rate in MiB/s (default: per scenario, above)
          -m, --max-mb N        cap on what the scenario holds, in MiB (default: 512)
          -d, --duration TIME   stop after TIME: 1500ms, 30s, 5m, 1h (default: run until stopped)
          -l, --listen ADDR:PORT  serve the in-process dashboard (MapMemLens, actions on) and /metrics
                                (MapMemLensMetrics) there, e.g. 127.0.0.1:0 for a free port; prints
                                "dashboard URL" before "ready"
          -t, --token T         access token the dashboard's API requires (default: $MEMLENS_DEMO_TOKEN,
                                else none; the variable keeps it off the command line)
              --record FILE     with --listen: record the dashboard's store to FILE (SQLite), as an app
                                does with MemLensOptions.RecordTo
              --record-max-mb N bound on the recording's size in MiB (default: 256)
          -h, --help            show this text

        Commands on stdin, one per line (answers on stdout):
          gcinfo [any|ephemeral|full|background]   gcinfo {json}: GC.GetGCMemoryInfo of that kind, counts, totals
          gc | gc0 | gc1                            forced blocking collection (gc: gen2 compacting) -> gc done <index>
          status                                    status {json}: scenario, elapsed, bytes held, GC count
          exit                                      exit with code 0
        SIGUSR1 also prints a gcinfo line. Stdin EOF does not stop the program.

        Exit codes: 0 finished (--duration, exit, SIGTERM, SIGINT), 1 unexpected failure or --listen not served
        (busy port), 2 invalid arguments.
        """;

    /// <summary>Parses <paramref name="args"/>; exactly one of the results is meaningful.</summary>
    public static ParseResult Parse(IReadOnlyList<string> args)
    {
        var options = DemoOptions.Default;
        for (var i = 0; i < args.Count; i++)
        {
            // Accept both "--rate 4" and "--rate=4".
            var (name, inlineValue) = SplitInline(args[i]);
            if (name is "-h" or "--help" or "-?")
            {
                return ParseResult.ShowHelp;
            }

            if (name is not ("-s" or "--scenario" or "-r" or "--rate" or "-m" or "--max-mb" or "-d" or "--duration" or "-l" or "--listen" or "-t" or "--token" or "--record" or "--record-max-mb"))
            {
                return ParseResult.Fail($"unknown argument '{args[i]}'");
            }

            var value = inlineValue ?? (i + 1 < args.Count ? args[++i] : null);
            if (value is null)
            {
                return ParseResult.Fail($"{name} needs a value");
            }

            var (next, error) = Apply(options, name, value);
            if (error is not null)
            {
                return ParseResult.Fail(error);
            }

            options = next;
        }

        // A token can come from the environment, which other local users cannot read (unlike the command line).
        if (options.Listen is not null && options.Token is null && Environment.GetEnvironmentVariable(TokenVariable) is { Length: > 0 } fromEnvironment)
        {
            options = options with { Token = fromEnvironment };
        }

        return ParseResult.Ok(options);
    }

    private static (DemoOptions Options, string? Error) Apply(DemoOptions options, string name, string value)
    {
        switch (name)
        {
            case "-s" or "--scenario":
                var scenario = value.ToLowerInvariant();
                return ScenarioCatalog.Names.Contains(scenario)
                    ? (options with { Scenario = scenario }, null)
                    : (options, $"unknown scenario '{value}' (expected one of: {string.Join(", ", ScenarioCatalog.Names)})");

            case "-r" or "--rate":
                // Capped so a typo cannot ask for terabytes per second.
                return double.TryParse(value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var rate)
                       && rate > 0 && rate <= 4096
                    ? (options with { RateMiBPerSecond = rate }, null)
                    : (options, $"--rate must be a number of MiB/s between 0 and 4096, not '{value}'");

            case "-m" or "--max-mb":
                return long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var max)
                       && max >= 1 && max <= 1024 * 1024
                    ? (options with { MaxMiB = max }, null)
                    : (options, $"--max-mb must be a whole number of MiB between 1 and 1048576, not '{value}'");

            case "-l" or "--listen":
                return System.Net.IPEndPoint.TryParse(value, out var endpoint) && value.Contains(':', StringComparison.Ordinal)
                    ? (options with { Listen = endpoint }, null)
                    : (options, $"--listen must look like 127.0.0.1:0 (address:port), not '{value}'");

            case "-t" or "--token":
                return value.Length > 0 ? (options with { Token = value }, null) : (options, "--token must not be empty");

            case "--record":
                return value.Length > 0 ? (options with { RecordTo = value }, null) : (options, "--record must not be empty");

            case "--record-max-mb":
                return long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var recordMax) && recordMax >= 1
                    ? (options with { RecordMaxMiB = recordMax }, null)
                    : (options, $"--record-max-mb must be a whole number of MiB, at least 1, not '{value}'");

            default:
                return Durations.TryParse(value, out var duration) && duration > TimeSpan.Zero
                    ? (options with { Duration = duration }, null)
                    : (options, $"--duration must look like 1500ms, 30s, 5m or 1h, not '{value}'");
        }
    }

    private static (string Name, string? Value) SplitInline(string arg)
    {
        var eq = arg.IndexOf('=', StringComparison.Ordinal);
        return arg.StartsWith("--", StringComparison.Ordinal) && eq > 2 ? (arg[..eq], arg[(eq + 1)..]) : (arg, null);
    }
}

/// <summary>Outcome of <see cref="DemoOptionsParser.Parse"/>: options, a request for help, or one error line.</summary>
internal sealed record ParseResult(DemoOptions? Options, bool Help, string? Error)
{
    public static ParseResult ShowHelp { get; } = new(null, true, null);

    public static ParseResult Ok(DemoOptions options) => new(options, false, null);

    public static ParseResult Fail(string error) => new(null, false, error);
}
