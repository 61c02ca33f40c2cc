using System.CommandLine;
using MemLens.Tool.Commands;

namespace MemLens.Tool.Cli;

/// <summary>The <c>memlens</c> command tree.</summary>
internal static class MemLensCli
{
    public static RootCommand Build()
    {
        var root = new RootCommand(
            "memlens: see a Linux process's memory as the operating system and the runtime see it, " +
            "side by side, to tell a leak from memory that is merely kept.\n\n" + ExitCodes.HelpText)
        {
            PsCommand.Create(),
            WatchCommand.Create(),
            RunCommand.Create(),
            DemoCommand.Create(),
            MetricsCommand.Create(),
            GcCommand.Create(),
            SnapshotCommand.Create(),
            DiffCommand.Create(),
            PathsCommand.Create(),
            TraceCommand.Create(),
            DoctorCommand.Create(),
            OpenCommand.Create(),
            ReportCommand.Create(),
            ExportCommand.Create(),
        };
        UsageErrors.GuardValidators(root);
        return root;
    }
}
