using System.CommandLine;
using MemLens.AspNetCore;
using MemLens.Formatting;
using MemLens.Tool.Cli;
using MemLens.Tool.Recording;

namespace MemLens.Tool.Commands;

/// <summary><c>memlens report rec.db -o report.html</c>: one self-contained HTML file to read offline or mail.</summary>
internal static class ReportCommand
{
    public static Command Create()
    {
        var file = new Argument<string>("recording") { Description = "A recording made by watch, run, trace or demo (a .db file)." };
        var output = new Option<string?>("--output", "-o") { Description = "The HTML file to write (replaced if it exists). Default: the recording's name with .html." };
        var maxPoints = new Option<int?>("--max-points")
        {
            Description = "Points per series at most (the whole range is downsampled to them, min and max kept). Default: 2000.",
        };
        var maxEvents = new Option<int?>("--max-events") { Description = "Events at most (every non-GC event first, then GCs from the highest generation down). Default: 5000." };
        var command = new Command("report",
            "Write one self-contained HTML file of a recording: the charts, the doctor's findings, the timeline of events and the " +
            "facts about the process, with every script, style and the data inside it — it opens from a file, without a server " +
            "or the network, so it can be mailed to a colleague. See docs/report.md.")
        {
            file, output, maxPoints, maxEvents,
        };
        command.Validators.Add(r =>
        {
            if (r.GetValue(maxPoints) is < 100 or > 100_000)
            {
                r.AddError("--max-points must be between 100 and 100000.");
            }

            if (r.GetValue(maxEvents) is < 0 or > 1_000_000)
            {
                r.AddError("--max-events must be between 0 and 1000000.");
            }
        });

        command.SetAction(async (parse, ct) =>
        {
            string path = parse.GetValue(file)!;
            var loaded = await Task.Run(() => RecordingLoader.Load(path, ct), ct).ConfigureAwait(false);
            if (loaded is null)
            {
                return ExitCodes.Error;
            }

            string target = parse.GetValue(output) ?? Path.ChangeExtension(path, ".html");
            var options = new ReportOptions { Title = loaded.Title() };
            if (parse.GetValue(maxPoints) is { } points)
            {
                options.MaxPointsPerSeries = points;
            }

            if (parse.GetValue(maxEvents) is { } events)
            {
                options.MaxEvents = events;
            }

            try
            {
                using var monitor = loaded.Monitor();
                // Written beside the target and moved into place: a reader never sees half a report.
                string partial = target + ".partial";
                await using (var stream = new FileStream(partial, FileMode.Create, FileAccess.Write))
                {
                    DashboardReport.Write(stream, monitor, options);
                }

                File.Move(partial, target, overwrite: true);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                await Console.Error.WriteLineAsync($"memlens: cannot write {target}: {ex.Message}").ConfigureAwait(false);
                return ExitCodes.Error;
            }

            await Console.Error.WriteLineAsync($"memlens: wrote {target} ({ByteSize.Format(new FileInfo(target).Length)}): {loaded.Title()}, " +
                $"{Durations.Format(TimeSpan.FromMilliseconds(loaded.LastMs - loaded.FirstMs))} recorded.").ConfigureAwait(false);
            return ExitCodes.Ok;
        });
        return command;
    }
}
