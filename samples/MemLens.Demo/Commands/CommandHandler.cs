using System.Diagnostics;
using MemLens.Demo.Output;
using MemLens.Demo.Scenarios;

namespace MemLens.Demo.Commands;

/// <summary>
/// Executes one line of the stdin protocol and returns the reply line (null for none). Kept apart
/// from the reading loop so the protocol can be exercised without a process.
/// </summary>
internal sealed class CommandHandler(IScenario scenario, Stopwatch clock, Action requestExit)
{
    public string? Execute(string line)
    {
        var trimmed = line.Trim();
        if (trimmed.Length == 0)
        {
            return null;
        }

        var space = trimmed.IndexOf(' ', StringComparison.Ordinal);
        var command = (space < 0 ? trimmed : trimmed[..space]).ToLowerInvariant();
        var argument = space < 0 ? string.Empty : trimmed[(space + 1)..].Trim();

        return (command, argument.Length == 0) switch
        {
            ("gcinfo", _) => GcInfo(argument),
            ("gc", true) => Collect(2),
            ("gc0", true) => Collect(0),
            ("gc1", true) => Collect(1),
            ("status", true) => "status " + StatusJson.Write(scenario, clock.Elapsed),
            ("exit", true) => Exit(),
            _ => "error unknown command: " + trimmed,
        };
    }

    private static string GcInfo(string argument) =>
        GcInfoJson.TryParseKind(argument, out var kind)
            ? "gcinfo " + GcInfoJson.Write(kind)
            : $"error unknown gc kind: {argument} (expected any, ephemeral, full or background)";

    // Forced and blocking so that the GC has finished, and its figures are final, when the reply
    // is printed; the index lets a test find exactly this GC in MemLens's event list.
    private static string Collect(int generation)
    {
        if (generation == 2)
        {
            GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        }
        else
        {
            GC.Collect(generation, GCCollectionMode.Forced, blocking: true);
        }

        return "gc done " + GC.GetGCMemoryInfo(GCKind.Any).Index.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    private string? Exit()
    {
        requestExit();
        return null;
    }
}
