using MemLens.Formatting;
using System.Diagnostics;
using System.Globalization;
using MemLens.Demo.Scenarios;

namespace MemLens.Demo.Output;

/// <summary>Every 5 s, one human line on stderr: what the scenario holds next to what the GC and the OS see.</summary>
internal static class ProgressReporter
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);

    public static async Task RunAsync(IScenario scenario, Stopwatch clock, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(Interval);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                ConsoleLines.Human(Line(scenario, clock.Elapsed));
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    public static string Line(IScenario scenario, TimeSpan elapsed)
    {
        var info = GC.GetGCMemoryInfo();
        var rss = SelfRss.Read();
        var collections = GC.CollectionCount(0);
        return string.Create(
            CultureInfo.InvariantCulture,
            $"[{scenario.Name}] {elapsed.TotalSeconds:0}s {scenario.Phase}: held {ByteSize.Format(scenario.ManagedBytesHeld)} managed, "
            + $"{ByteSize.Format(scenario.NativeBytesHeld)} native; GC heap {ByteSize.Format(info.HeapSizeBytes)}, "
            + $"fragmented {ByteSize.Format(info.FragmentedBytes)}, committed {ByteSize.Format(info.TotalCommittedBytes)}; "
            + $"RSS {(rss is { } r ? ByteSize.Format(r) : "n/a")}; {collections} GC{(collections == 1 ? "" : "s")}");
    }
}
