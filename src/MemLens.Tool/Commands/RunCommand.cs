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
        var command = new Command("run",
            "Start a program and watch its memory from its first instruction, gcvis-style: its stdin, stdout and stderr pass " +
            "through, and memlens ends with the program and returns its exit code. A .NET program is started suspended and " +
            "resumed once memlens is attached over EventPipe, so even its first GCs are seen; any other program is watched " +
            "through /proc. Example: memlens run -- dotnet app.dll --port 8080")
        {
            commandLine,
        };
        common.AddTo(command);
        dashboard.AddTo(command, common.JsonLines);
        command.Options.Add(counters);

        command.SetAction(async (parse, ct) =>
        {
            if (!OperatingSystem.IsLinux())
            {
                await Console.Error.WriteLineAsync("memlens: run reads /proc and works on Linux only.").ConfigureAwait(false);
                return ExitCodes.UnsupportedOs;
            }

            var argv = parse.GetValue(commandLine)!;
            var interval = parse.GetValue(common.Interval) ?? TimeSpan.FromSeconds(1);
            bool tui = parse.GetValue(dashboard.Tui);
            var recent = new Queue<string>();
            Action<string>? output = tui ? line => Keep(recent, line) : null;

            LaunchedProcess launched;
            try
            {
                launched = await LaunchedProcess.StartAsync(argv, new RuntimeSessionOptions { Counters = parse.GetValue(counters) }, output, ct).ConfigureAwait(false);
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

                var sources = launched.RuntimeSources(interval);
                if (dashboard.ServesDashboard(parse, common.JsonLines))
                {
                    await WatchDashboard.RunAsync(launched.ProcessId, interval, parse.GetValue(common.Duration), dashboard.Read(parse), ct, sources).ConfigureAwait(false);
                }
                else
                {
                    await WatchCommand.RunAsync(launched.ProcessId, launched.DisplayName, interval, parse.GetValue(common.Duration),
                        parse.GetValue(common.JsonLines), sources, tui ? () => Recent(recent) : null, ct).ConfigureAwait(false);
                }

                await launched.StopAsync(s_stopGrace).ConfigureAwait(false);
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
