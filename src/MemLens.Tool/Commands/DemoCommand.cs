using System.CommandLine;
using MemLens.Tool.Attaching;
using MemLens.Tool.Cli;

namespace MemLens.Tool.Commands;

/// <summary>
/// <c>memlens demo</c>: starts the bundled workload as a child process and shows it — by default through the
/// workload's own in-process dashboard (GC figures from inside, the release action on), with <c>--tui</c> or
/// <c>--json-lines</c> watched from outside in the terminal.
/// </summary>
internal static class DemoCommand
{
    /// <summary>The variable the demo workload reads its dashboard token from (see samples/MemLens.Demo/README.md).</summary>
    public const string DemoTokenVariable = "MEMLENS_DEMO_TOKEN";

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
        var dashboard = new DashboardOptions();
        var record = new RecordOptions();
        var command = new Command("demo",
            "Run the bundled demo workload as a child process and watch it live. By default the workload serves its own " +
            "dashboard (MapMemLens, with the release-memory action) on 127.0.0.1 and a free port, printed and opened in a " +
            "browser when possible; --tui shows the terminal view instead.")
        {
            scenario, rate, maxMb,
        };
        common.AddTo(command);
        dashboard.AddTo(command, common.JsonLines);
        record.AddTo(command);
        command.Validators.Add(r =>
        {
            if (!r.GetValue(dashboard.Tui) && !r.GetValue(common.JsonLines) && r.GetResult(common.Interval) is { Implicit: false })
            {
                r.AddError("--interval applies to --tui and --json-lines; the demo's own dashboard samples every second.");
            }
        });

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
            var served = dashboard.ServesDashboard(parse, common.JsonLines) ? dashboard.Read(parse) : null;
            var recordTo = record.Read(parse, "demo-" + parse.GetValue(scenario));
            if (recordTo?.Problem() is { } problem)
            {
                await Console.Error.WriteLineAsync($"memlens: {problem}").ConfigureAwait(false);
                return ExitCodes.Error;
            }

            if (served is not null && recordTo is not null)
            {
                // The workload serves its own dashboard, so it records itself too (MemLensOptions.RecordTo), as an app would.
                Directory.CreateDirectory(Path.GetDirectoryName(recordTo.Path)!);
                demoArgs.AddRange(["--record", recordTo.Path, "--record-max-mb", (recordTo.MaxBytes >> 20).ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            }
            var environment = new Dictionary<string, string>(StringComparer.Ordinal);
            if (served is not null)
            {
                demoArgs.AddRange(["--listen", served.Endpoint]);
                if (served.Token is { } token)
                {
                    // Through the environment, not the command line: /proc/<pid>/cmdline is readable by every
                    // local user, /proc/<pid>/environ only by the owner.
                    environment[DemoTokenVariable] = token;
                }
            }

            DemoChild child;
            try
            {
                child = await DemoChild.StartAsync(demoArgs, environment, forwardOutputTo: jsonLines ? Console.Error : null, ct).ConfigureAwait(false);
            }
            catch (DemoStartException ex)
            {
                string hint = served is { Port: not 0 } && ex.Message.Contains("already in use", StringComparison.OrdinalIgnoreCase)
                    ? " — choose another --port, or --port 0 for a free one."
                    : "";
                await Console.Error.WriteLineAsync($"memlens: {ex.Message}{hint}").ConfigureAwait(false);
                return ExitCodes.Error;
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                await Console.Error.WriteLineAsync("memlens: stopped before the demo workload was ready.").ConfigureAwait(false);
                return ExitCodes.Ok;
            }

            await using (child.ConfigureAwait(false))
            {
                if (served is not null)
                {
                    if (recordTo is not null)
                    {
                        await Console.Error.WriteLineAsync($"memlens: the workload records itself to {Path.GetRelativePath(Environment.CurrentDirectory, recordTo.Path)}{(recordTo.Explicit ? "" : " (--no-record to turn off)")}").ConfigureAwait(false);
                    }

                    return await DemoDashboard.RunAsync(child, parse.GetValue(scenario)!, parse.GetValue(common.Duration), served, ct).ConfigureAwait(false);
                }

                if (!jsonLines)
                {
                    await Console.Error.WriteLineAsync($"memlens: demo workload '{parse.GetValue(scenario)}' started as PID {child.ProcessId}.").ConfigureAwait(false);
                }

                int code = await WatchCommand.RunAsync(child.ProcessId, $"MemLens.Demo --scenario {parse.GetValue(scenario)}",
                    parse.GetValue(common.Interval) ?? TimeSpan.FromSeconds(1), parse.GetValue(common.Duration), jsonLines,
                    extraSources: RuntimeAttach.SourcesFor(child.ProcessId, parse.GetValue(common.Interval) ?? TimeSpan.FromSeconds(1), notes: []),
                    childOutput: child.RecentOutput, ct, record: recordTo).ConfigureAwait(false);
                return code;
            }
        });
        return command;
    }
}
