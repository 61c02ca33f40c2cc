namespace MemLens.Demo.Output;

/// <summary>
/// The only place that writes to the console. Stdout carries the machine-readable protocol
/// (ready, gcinfo, gc done, status, error) and stderr the human progress lines, so tests can
/// read stdout without filtering. Each line is written whole and flushed at once: a test
/// waiting for "ready" must not wait for a buffer to fill, and lines written from the command
/// thread and the signal handler must not interleave.
/// </summary>
internal static class ConsoleLines
{
    private static readonly Lock Gate = new();

    public static void Protocol(string line)
    {
        lock (Gate)
        {
            Console.Out.Write(line + "\n");
            Console.Out.Flush();
        }
    }

    public static void Human(string line)
    {
        lock (Gate)
        {
            Console.Error.Write(line + "\n");
            Console.Error.Flush();
        }
    }
}
