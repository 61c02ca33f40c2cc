using BenchmarkDotNet.Running;

// Every benchmark class in this assembly; pick with --filter, e.g.
//   dotnet run -c Release --project bench/MemLens.Benchmarks -- --filter '*Procfs*'
if (args is ["--store-memory"])
{
    MemLens.Benchmarks.StoreMemoryReport.Run(); // space, not time: prints what the store budget holds
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
