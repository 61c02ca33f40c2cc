using System.CommandLine;
using MemLens.Diagnostics.Attach;
using MemLens.Tool.Attaching;
using MemLens.Tool.Cli;

namespace MemLens.Tool.Commands;

/// <summary><c>memlens run -- &lt;command&gt; [args]</c>: start a program and watch it from its first instruction.</summary>
internal static class RunCommand
{
    // The child got the terminal's Ctrl+C too; it is given this long to finish before it is killed.
    private static readonly TimeSpan s_stopGrace = TimeSpan.FromSeconds(5);
    private const int RecentOutputLines = 6;

    public static Command Create()
    {
        var commandLine = new Argument<string[]>("command")
        {
            Description = "The program to start and its arguments; put them after -- so that their options are not read as memlens's.",
            Arity = ArgumentArity.OneOrMore,
        };
        var common = new CommonOptions();
        var dashboard = new DashboardOptions();
        var counters = RuntimeCountersOption.Create();
        var showTrace = new Option<bool>("--show-trace")
        {
            Description = "Go programs: also print the GC and scavenger trace lines memlens reads from the program's standard error " +
                          "(hidden by default; the program's other output always passes through).",
        };
        var goPprof = new GoPprofOptions();
        var record = new RecordOptions();
        var export = new ExportOptions();
        var command = new Command("run",
            "Start a program and watch its memory from its first instruction, gcvis-style: its stdin, stdout and stderr pass " +
            "through, and memlens ends with the program and returns its exit code. A .NET program is started suspended and " +
            "resumed once memlens is attached over EventPipe, so even its first GCs are seen. A Go executable gets " +
            "gctrace=1,scavtrace=1 added to its GODEBUG (your other settings are kept) and every GC and scavenger cycle is read " +
            "from its standard error. Any other program is watched through /proc. " +
            "Examples: memlens run -- dotnet app.dll --port 8080; memlens run -- ./server -addr :8080")
        {
            commandLine,
        };
        common.AddTo(command);
        dashboard.AddTo(command, common.JsonLines);
        command.Options.Add(counters);
        command.Options.Add(showTrace);
        goPprof.AddTo(command);
        record.AddTo(command);
        export.AddTo(command);

        command.SetAction(async (parse, ct) =>
        {
            if (!OperatingSystem.IsLinux())
            {
                await Console.Error.WriteLineAsync("memlens: run reads /proc and works on Linux only.").ConfigureAwait(false);
                return ExitCodes.UnsupportedOs;
            }

            var argv = parse.GetValue(commandLine)!;
            var recordTo = record.Read(parse, argv[0]);
            if (recordTo?.Problem() is { } problem)
            {
                await Console.Error.WriteLineAsync($"memlens: {problem}").ConfigureAwait(false);
                return ExitCodes.Error;
            }

            var interval = parse.GetValue(common.Interval) ?? TimeSpan.FromSeconds(1);
            bool tui = parse.GetValue(dashboard.Tui);
            var recent = new Queue<string>();
            Action<string>? output = tui ? line => Keep(recent, line) : null;

            LaunchedProcess launched;
            try
            {
                var options = new LaunchOptions(new RuntimeSessionOptions { Counters = parse.GetValue(counters) }, interval, output, parse.GetValue(showTrace));
                launched = await LaunchedProcess.StartAsync(argv, options, ct).ConfigureAwait(false);
            }
            catch (LaunchException ex)
            {
                await Console.Error.WriteLineAsync("memlens: " + ex.Message).ConfigureAwait(false);
                return ExitCodes.Error;
            }

            await using (launched.ConfigureAwait(false))
            {
                if (launched.Note is { } note)
                {
                    await Console.Error.WriteLineAsync("memlens: " + note).ConfigureAwait(false);
                }

                if (launched.GoTrace is not null)
                {
                    string version = launched.GoVersion is { } v ? $" ({v})" : "";
                    await Console.Error.WriteLineAsync($"memlens: {argv[0]} is a Go program{version}: reading its GC and scavenger trace (GODEBUG gctrace=1,scavtrace=1).").ConfigureAwait(false);
                }

                var sources = launched.RuntimeSources(interval).Concat(goPprof.Sources(parse, interval)).ToList();
                if (launched.Exited.IsCompleted)
                {
                    // Gone before /proc could be read once (e.g. /bin/true): said plainly rather than "no process with PID".
                    await Console.Error.WriteLineAsync($"memlens: {argv[0]} (PID {launched.ProcessId}) exited before its first sample; nothing was watched.").ConfigureAwait(false);
                }
                else if (dashboard.ServesDashboard(parse, common.JsonLines))
                {
                    await WatchDashboard.RunAsync(launched.ProcessId, interval, parse.GetValue(common.Duration), dashboard.Read(parse), ct, sources, launched.TraceDrained, recordTo, export: export.Read(parse)).ConfigureAwait(false);
                }
                else
                {
                    await WatchCommand.RunAsync(launched.ProcessId, launched.DisplayName, interval, parse.GetValue(common.Duration),
                        parse.GetValue(common.JsonLines), sources, tui ? () => Recent(recent) : null, ct, launched.TraceDrained, recordTo, export: export.Read(parse)).ConfigureAwait(false);
                }

                await launched.StopAsync(s_stopGrace).ConfigureAwait(false);
                if (launched.GoTrace is { } trace)
                {
                    await Console.Error.WriteLineAsync($"memlens: Go trace: {trace.Tally}.").ConfigureAwait(false);
                }

                int code = launched.ExitCode;
                await Console.Error.WriteLineAsync($"memlens: {argv[0]} (PID {launched.ProcessId}) exited with code {code}.").ConfigureAwait(false);
                return code;
            }
        });
        return command;
    }

    private static void Keep(Queue<string> recent, string line)
    {
        lock (recent)
        {
            recent.Enqueue(line);
            while (recent.Count > RecentOutputLines)
            {
                recent.Dequeue();
            }
        }
    }

    private static IReadOnlyList<string> Recent(Queue<string> recent)
    {
        lock (recent)
        {
            return recent.ToArray();
        }
    }
}
