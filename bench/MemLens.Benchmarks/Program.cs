using BenchmarkDotNet.Running;

// Every benchmark class in this assembly; pick with --filter, e.g.
//   dotnet run -c Release --project bench/MemLens.Benchmarks -- --filter '*Procfs*'
if (args is ["--store-memory"])
{
    MemLens.Benchmarks.StoreMemoryReport.Run(); // space, not time: prints what the store budget holds
    return;
}

if (args.Length > 0 && args[0] == "--recording")
{
    // A recording's bytes per value, flush and load times, and what a week leaves in 256 MiB and in 8 MiB.
    MemLens.Benchmarks.RecordingReport.Run(args.Length > 1 ? args[1] : null);
    return;
}

if (args.Length > 0 && args[0] == "--snapshot")
{
    // A heap snapshot's cost next to one blocking gen2 GC of the same heap, and this process's peak RSS.
    await MemLens.Benchmarks.SnapshotReport.RunAsync(
        args.Length > 1 ? long.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 1_000_000,
        graph: !args.Contains("--no-graph"),
        names: !args.Contains("--no-names"));
    return;
}

if (args.Length > 0 && args[0] == "--heap-graph")
{
    // Heap graph analysis without the walk: builder + dominators + retained sizes, time and memory per node.
    if (args.Length > 3 && args[3] == "--header")
    {
        MemLens.Benchmarks.HeapGraphReport.PrintHeader();
    }

    MemLens.Benchmarks.HeapGraphReport.Run(
        args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 1_000_000,
        args.Length > 2 ? args[2] : "random");
    return;
}

if (args.Length > 0 && args[0] == "--attach-latency")
{
    // memlens watch <pid> of a .NET process: start to first runtime value, as a user meets it.
    await MemLens.Benchmarks.AttachLatencyReport.RunAsync(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 10);
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
