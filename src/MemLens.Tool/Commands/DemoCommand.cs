using System.CommandLine;
using MemLens.Tool.Cli;

namespace MemLens.Tool.Commands;

/// <summary><c>memlens demo</c>: starts the bundled workload as a child process and watches it.</summary>
internal static class DemoCommand
{
    private static readonly string[] s_scenarios = ["steady", "leak", "spike", "native-leak", "fragmentation", "idle"];

    public static Command Create()
    {
        var scenario = new Option<string>("--scenario", "-s")
        {
            Description = "What the workload does: steady, leak (managed objects kept forever), spike (allocate, drop, idle), " +
                          "native-leak (unmanaged memory never freed), fragmentation (LOH and pinned holes), idle. Default: steady.",
            DefaultValueFactory = _ => "steady",
        };
        scenario.AcceptOnlyFromAmong(s_scenarios);
        var rate = new Option<int?>("--rate") { Description = "Growth rate in MiB/s for leak and native-leak (passed to the workload)." };
        var maxMb = new Option<int?>("--max-mb") { Description = "Cap in MiB on what the workload holds (passed to the workload)." };
        var common = new CommonOptions();
        var command = new Command("demo", "Run the bundled demo workload as a child process and watch it live.") { scenario, rate, maxMb };
        common.AddTo(command);

        command.SetAction(async (parse, ct) =>
        {
            if (!OperatingSystem.IsLinux())
            {
                await Console.Error.WriteLineAsync("memlens: the demo watches its child through /proc and works on Linux only.").ConfigureAwait(false);
                return ExitCodes.UnsupportedOs;
            }

            var demoArgs = new List<string> { "--scenario", parse.GetValue(scenario)! };
            if (parse.GetValue(rate) is { } r)
            {
                demoArgs.AddRange(["--rate", r.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            }

            if (parse.GetValue(maxMb) is { } m)
            {
                demoArgs.AddRange(["--max-mb", m.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            }

            bool jsonLines = parse.GetValue(common.JsonLines);
            DemoChild child;
            try
            {
                child = await DemoChild.StartAsync(demoArgs, forwardOutputTo: jsonLines ? Console.Error : null, ct).ConfigureAwait(false);
            }
            catch (DemoStartException ex)
            {
                await Console.Error.WriteLineAsync($"memlens: {ex.Message}").ConfigureAwait(false);
                return ExitCodes.Error;
            }

            await using (child.ConfigureAwait(false))
            {
                if (!jsonLines)
                {
                    await Console.Error.WriteLineAsync($"memlens: demo workload '{parse.GetValue(scenario)}' started as PID {child.ProcessId}.").ConfigureAwait(false);
                }

                int code = await WatchCommand.RunAsync(child.ProcessId, $"MemLens.Demo --scenario {parse.GetValue(scenario)}",
                    parse.GetValue(common.Interval) ?? TimeSpan.FromSeconds(1), parse.GetValue(common.Duration), jsonLines,
                    extraSources: [], childOutput: child.RecentOutput, ct).ConfigureAwait(false);
                return code;
            }
        });
        return command;
    }
}
