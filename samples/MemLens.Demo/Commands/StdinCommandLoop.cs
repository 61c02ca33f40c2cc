using MemLens.Demo.Output;

namespace MemLens.Demo.Commands;

/// <summary>
/// Reads commands from stdin on a background thread, so a blocking read never holds up the
/// workload and never keeps the process alive. End of input only ends this loop: a test (or
/// `memlens demo`) that closes stdin still expects the workload to run until --duration or a signal.
/// </summary>
internal static class StdinCommandLoop
{
    public static void Start(CommandHandler handler)
    {
        var thread = new Thread(() => Run(handler)) { IsBackground = true, Name = "stdin commands" };
        thread.Start();
    }

    private static void Run(CommandHandler handler)
    {
        try
        {
            while (Console.In.ReadLine() is { } line)
            {
                if (handler.Execute(line) is { } reply)
                {
                    ConsoleLines.Protocol(reply);
                }
            }
        }
        catch (IOException)
        {
            // A broken stdin is treated like its end: no more commands, workload goes on.
        }
    }
}
