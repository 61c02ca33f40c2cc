using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using MemLens.Demo.Commands;
using MemLens.Demo.Output;
using MemLens.Demo.Scenarios;

namespace MemLens.Demo;

/// <summary>Runs one scenario with its command loop, progress line and signal handling, and says how it ended.</summary>
internal static class DemoHost
{
    // SIGUSR1's number on Linux (x86-64 and arm64). PosixSignal has no name for it, but accepts raw numbers.
    private const int Sigusr1 = 10;

    public static async Task<int> RunAsync(DemoOptions options)
    {
        var scenario = ScenarioCatalog.Create(options);
        using var stop = new StopRequest();

        // Cancelling the default action lets the workload end through the same path as --duration,
        // so SIGTERM and Ctrl+C exit with 0 after the goodbye line instead of being killed mid-line.
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            stop.Request("SIGTERM");
        });
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, context =>
        {
            context.Cancel = true;
            stop.Request("SIGINT");
        });
        using var sigusr1 = OperatingSystem.IsLinux()
            ? PosixSignalRegistration.Create((PosixSignal)Sigusr1, context =>
            {
                context.Cancel = true;
                ConsoleLines.Protocol("gcinfo " + GcInfoJson.Write(GCKind.Any));
            })
            : null;

        scenario.Prepare();
        WarmUp(scenario);
        var clock = Stopwatch.StartNew();
        if (options.Duration is { } duration)
        {
            stop.RequestAfter(duration, "--duration elapsed");
        }

        Microsoft.AspNetCore.Builder.WebApplication? dashboard = null;
        if (options.Listen is { } listen)
        {
            string url;
            try
            {
                (dashboard, url) = await DashboardHost.StartAsync(listen, options.Token, options.RecordTo, options.RecordMaxMiB).ConfigureAwait(false);
            }
            catch (Exception failure) when (failure is IOException or System.Net.Sockets.SocketException)
            {
                // A busy port (IOException from Kestrel) or an address this machine does not have (SocketException):
                // one line saying which, not a stack trace.
                ConsoleLines.Human($"MemLens.Demo: cannot serve the dashboard on {listen}: {(failure.InnerException ?? failure).Message}");
                return 1;
            }

            ConsoleLines.Protocol("dashboard " + url);
        }

        await using var dashboardLifetime = dashboard;
        ConsoleLines.Protocol(string.Create(CultureInfo.InvariantCulture, $"ready pid={Environment.ProcessId} scenario={scenario.Name}"));
        StdinCommandLoop.Start(new CommandHandler(scenario, clock, () => stop.Request("exit command")));

        var progress = ProgressReporter.RunAsync(scenario, clock, stop.Token);
        try
        {
            await Task.Run(() => scenario.RunAsync(stop.Token), stop.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stop.Token.IsCancellationRequested)
        {
            // Stopped before the workload's task even started.
        }
#pragma warning disable CA1031 // The one place where any failure becomes a single line and exit code 1.
        catch (Exception failure)
#pragma warning restore CA1031
        {
            ConsoleLines.Human($"[{scenario.Name}] failed: {failure.GetType().Name}: {failure.Message}");
            return 1;
        }

        await progress.ConfigureAwait(false);
        ConsoleLines.Human(string.Create(CultureInfo.InvariantCulture, $"[{scenario.Name}] stopping ({stop.Reason}) after {clock.Elapsed.TotalSeconds:0.0} s"));
        return 0;
    }

    // Compiles the reply and progress code before "ready": the first gcinfo otherwise cost ~3 MiB
    // of RSS for JIT and JSON code (measured on idle), a step a test comparing figures would see.
    private static void WarmUp(IScenario scenario)
    {
        _ = GcInfoJson.Write(GCKind.Any);
        _ = StatusJson.Write(scenario, TimeSpan.Zero);
        _ = ProgressReporter.Line(scenario, TimeSpan.Zero);
    }
}
