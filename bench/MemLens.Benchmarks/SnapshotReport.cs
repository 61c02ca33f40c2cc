using System.Diagnostics;
using System.Globalization;
using MemLens.Diagnostics.Snapshots;

namespace MemLens.Benchmarks;

/// <summary>
/// `--snapshot [objects]`: what a heap snapshot costs. Starts bench/MemLens.HeapTarget with a heap of that many
/// live objects (default 1,000,000), and in each of three rounds times one blocking, compacting gen2 GC inside the
/// target (the reference: a snapshot is such a GC plus the walk) and then one snapshot taken from here with
/// <see cref="HeapSnapshotter"/>. Ends with this process's peak RSS (VmHWM): this process does nothing but take
/// the snapshots. Each row also checks the snapshot against the target's own figures: its Node count and the runtime's
/// live bytes after the GC just before. Not a BenchmarkDotNet run: one snapshot is seconds long and changes the
/// target's heap layout.
/// </summary>
internal static class SnapshotReport
{
    public static async Task RunAsync(long objects, bool graph = true, bool names = true)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardInput = true, RedirectStandardOutput = true, UseShellExecute = false };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "MemLens.HeapTarget.dll"));
        psi.ArgumentList.Add(objects.ToString(CultureInfo.InvariantCulture));
        using var target = Process.Start(psi)!;
        try
        {
            string ready = await target.StandardOutput.ReadLineAsync() ?? throw new InvalidOperationException("the heap target did not start");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $".NET {Environment.Version}, {Environment.ProcessorCount} cores; target: {ready}"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"peak RSS of this process before any snapshot: {PeakRssKiB() / 1024.0:0.0} MiB"));
            Console.WriteLine("| round | blocking gen2 GC in the target | snapshot (attach + induced GC + walk + types) | objects | Node objects | bytes | events lost |");
            Console.WriteLine("|---|---|---|---|---|---|---|");
            Console.WriteLine(!graph ? "histogram only (--no-graph)" : names ? "with the object graph and its analysis (retention)" : "with the object graph, static fields not read (--no-names)");
            var snapshotter = new HeapSnapshotter(new HeapSnapshotOptions { CaptureGraph = graph, NameStaticFields = names });
            for (int round = 1; round <= 3; round++)
            {
                await target.StandardInput.WriteLineAsync("gc");
                await target.StandardInput.FlushAsync();
                string gc = await target.StandardOutput.ReadLineAsync() ?? throw new InvalidOperationException("the heap target exited");
                var result = await snapshotter.TakeAsync(target.Id, null, CancellationToken.None);
                var s = result.Snapshot;
                // "gc <ms> heap=<bytes> live=<bytes>": the GC's time and the runtime's own live bytes, which the snapshot should match.
                var fields = gc.Split(' ');
                long live = long.Parse(fields.Single(f => f.StartsWith("live=", StringComparison.Ordinal))["live=".Length..], CultureInfo.InvariantCulture);
                long nodes = s.Types.Where(t => t.Name == "Node").Sum(t => t.Count);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {round} | {fields[1]} ms | {s.Duration.TotalMilliseconds:0} ms | {s.TotalObjects:N0} | {nodes:N0} of {objects:N0} | {s.TotalBytes:N0} of {live:N0} live | {s.EventsLost} |"));
                if (result.Graph is { } g)
                {
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"  graph: {g.Nodes:N0} nodes, {g.Edges:N0} edges, {g.Roots:N0} roots; static fields read {g.StaticFieldsRead} in {g.NamingTime.TotalMilliseconds:0} ms ({g.Statics}); analysis {g.AnalysisTime.TotalMilliseconds:0} ms; losses {g.Losses}; main holder of Node: {s.Retention?.MainHolder("Node")}"));
                }
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"peak RSS (VmHWM) of this process after the snapshots: {PeakRssKiB() / 1024.0:0.0} MiB"));
        }
        finally
        {
            target.Kill();
            await target.WaitForExitAsync();
        }
    }

    private static long PeakRssKiB()
    {
        var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        return long.Parse(line["VmHWM:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
    }
}
