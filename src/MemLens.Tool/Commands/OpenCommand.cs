using System.CommandLine;
using MemLens.Formatting;
using MemLens.Tool.Cli;
using MemLens.Tool.Dashboard;
using MemLens.Tool.Recording;

namespace MemLens.Tool.Commands;

/// <summary><c>memlens open rec.db</c>: the dashboard over a recording, the same page as live, opened on the whole recording.</summary>
internal static class OpenCommand
{
    public static Command Create()
    {
        var file = new Argument<string>("recording") { Description = "A recording made by watch, run, trace or demo (a .db file)." };
        var duration = new CommonOptions().Duration;
        var dashboard = new DashboardOptions();
        var command = new Command("open",
            "Serve the dashboard over a recording: the same charts, events and findings as live, opened on the whole recorded " +
            "range (not live: nothing is sampled). Serves on 127.0.0.1 and a free port until Ctrl+C or --duration. " +
            "A recording still being written can be opened; it shows what was flushed when it was opened.")
        {
            file,
        };
        command.Options.Add(duration);
        dashboard.AddTo(command, new Option<bool>("--json-lines"), withTui: false);

        command.SetAction(async (parse, ct) =>
        {
            string path = parse.GetValue(file)!;
            var loaded = await Task.Run(() => RecordingLoader.Load(path, ct), ct).ConfigureAwait(false);
            if (loaded is null)
            {
                return ExitCodes.Error;
            }

            var monitor = loaded.Monitor();
            string span = Durations.Format(TimeSpan.FromMilliseconds(loaded.LastMs - loaded.FirstMs));
            string watching = $"{path}: {loaded.Title()}, {span} from {Timestamps.ToIso8601(loaded.FirstMs)}";
            return await StoreDashboard.ServeAsync(monitor, watching, dashboard.Read(parse), parse.GetValue(duration), ct,
                () => Task.CompletedTask, statusText: null, wholeRange: true).ConfigureAwait(false);
        });
        return command;
    }
}
