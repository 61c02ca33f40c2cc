using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using MemLens.Recording;
using MemLens.Tool.Cli;
using MemLens.Tool.Recording;

namespace MemLens.Tool.Commands;

/// <summary><c>memlens export rec.db --format csv|json [--from --to --metrics] [-o FILE]</c>.</summary>
internal static class ExportCommand
{
    public static Command Create()
    {
        var file = new Argument<string>("recording") { Description = "A recording made by watch, run, trace or demo (a .db file)." };
        var format = new Option<string>("--format", "-f")
        {
            Description = "csv: one row per point (time,timestamp_ms,metric,unit,value,min,max,count,span_ms), for spreadsheets and pandas; " +
                          "json: {facts, series: [{metric, unit, points: [[t, mean, min, max, count, span]…]}], events: […]}. Default: csv.",
            DefaultValueFactory = _ => "csv",
        };
        format.AcceptOnlyFromAmong("csv", "json");
        var from = new Option<DateTimeOffset?>("--from") { Description = "Start of the range, ISO-8601 (e.g. 2026-11-22T10:00:00Z) or relative to the recording's end (e.g. -1h). Default: its start.", CustomParser = ParseTime };
        var to = new Option<DateTimeOffset?>("--to") { Description = "End of the range, same forms as --from. Default: its end.", CustomParser = ParseTime };
        var metrics = new Option<string[]>("--metrics", "-m")
        {
            Description = "Only these series, comma-separated or repeated (names as in 'memlens metrics', e.g. process.memory.rss,dotnet.gc.heap.size). Default: all.",
            AllowMultipleArgumentsPerToken = true,
        };
        var output = new Option<string?>("--output", "-o") { Description = "Write to this file instead of stdout." };
        var command = new Command("export", "Export a recording's series and events as CSV or JSON, for spreadsheets, notebooks and scripts.")
        {
            file, format, from, to, metrics, output,
        };

        command.SetAction(async (parse, ct) =>
        {
            string path = parse.GetValue(file)!;
            try
            {
                using var reader = RecordingReader.Open(path);
                RecordingLoader.SayOutOfRange(reader);
                long end = reader.LastMs ?? 0;
                long fromMs = Resolve(parse.GetValue(from), parse.GetResult(from), end) ?? long.MinValue;
                long toMs = Resolve(parse.GetValue(to), parse.GetResult(to), end) ?? long.MaxValue;
                if (fromMs > toMs)
                {
                    await Console.Error.WriteLineAsync("memlens: --from is after --to.").ConfigureAwait(false);
                    return ExitCodes.Usage;
                }

                var names = (parse.GetValue(metrics) ?? []).SelectMany(m => m.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList();
                var known = reader.Series.Select(s => s.Metric).ToHashSet(StringComparer.Ordinal);
                var unknown = names.Where(n => !known.Contains(n)).ToList();
                if (unknown.Count > 0)
                {
                    await Console.Error.WriteLineAsync($"memlens: {path} has no series {string.Join(", ", unknown)}; it has {string.Join(", ", known.Order(StringComparer.Ordinal))}.").ConfigureAwait(false);
                    return ExitCodes.Usage;
                }

                string? outPath = parse.GetValue(output);
                await using var stream = outPath is null ? Console.OpenStandardOutput() : new FileStream(outPath, FileMode.CreateNew, FileAccess.Write);
                IReadOnlyCollection<string>? filter = names.Count > 0 ? names : null;
                if (parse.GetValue(format) == "json")
                {
                    using var buffered = new BufferedStream(stream, 64 << 10);
                    RecordingExport.WriteJson(reader, buffered, fromMs, toMs, filter);
                }
                else
                {
                    await using var writer = new StreamWriter(stream, new System.Text.UTF8Encoding(false), 64 << 10);
                    RecordingExport.WriteCsv(reader, writer, fromMs, toMs, filter);
                }

                return ExitCodes.Ok;
            }
            catch (RecordingException ex)
            {
                await Console.Error.WriteLineAsync($"memlens: {ex.Message}").ConfigureAwait(false);
                return ExitCodes.Error;
            }
            catch (IOException ex)
            {
                await Console.Error.WriteLineAsync($"memlens: cannot write the export: {ex.Message}").ConfigureAwait(false);
                return ExitCodes.Error;
            }
        });
        return command;
    }

    // A relative time (-1h) is kept as an offset from the recording's end, which is only known once it is open.
    private static long? Resolve(DateTimeOffset? value, OptionResult? result, long endMs)
    {
        if (value is null || result is null)
        {
            return null;
        }

        string text = result.Tokens[0].Value;
        return text.StartsWith('-') ? endMs - (long)(DateTimeOffset.UnixEpoch - value.Value).TotalMilliseconds : value.Value.ToUnixTimeMilliseconds();
    }

    private static DateTimeOffset? ParseTime(ArgumentResult result)
    {
        string text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
        if (text.StartsWith('-') && MemLens.Formatting.Durations.TryParse(text[1..], out var ago))
        {
            return DateTimeOffset.UnixEpoch - ago; // an offset, resolved against the recording's end
        }

        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var t))
        {
            return t;
        }

        result.AddError($"'{text}' is not a time; use ISO-8601 (2026-11-22T10:00:00Z) or an offset from the end (-30m).");
        return null;
    }
}
