using System.CommandLine;

namespace MemLens.Tool.Commands;

internal static class PsCommand
{
    public static Command Create() => new("ps", "List processes with their memory (coming with the process table).");
}
