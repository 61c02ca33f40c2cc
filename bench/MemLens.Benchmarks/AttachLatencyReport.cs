using System.Diagnostics;
using System.Globalization;

namespace MemLens.Benchmarks;

/// <summary>
/// `--attach-latency [runs]`: the time from starting <c>memlens watch &lt;pid&gt; --json-lines</c> to its first line
/// that carries a runtime value (a <c>dotnet.gc.*</c> metric read over EventPipe), the way a user meets it: tool
/// start-up, attach, the runtime's first meter round. The watched process is bench/MemLens.HeapTarget (a .NET 10
/// program with 100,000 live objects, idle). Needs the tool built in Release:
/// <c>dotnet build -c Release src/MemLens.Tool</c>. Not BenchmarkDotNet: each run is a new process.
/// </summary>
internal static class AttachLatencyReport
{
    public static async Task RunAsync(int runs)
    {
        string tool = FindTool();
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardInput = true, RedirectStandardOutput = true, UseShellExecute = false };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "MemLens.HeapTarget.dll"));
        psi.ArgumentList.Add("100000");
        using var target = Process.Start(psi)!;
        try
        {
            string ready = await target.StandardOutput.ReadLineAsync() ?? throw new InvalidOperationException("the heap target did not start");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $".NET {Environment.Version}, {Environment.ProcessorCount} cores; target: {ready}; tool: {tool}"));
            var times = new List<double>();
            for (int run = 1; run <= runs; run++)
            {
                times.Add(await TimeOneAsync(tool, target.Id));
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"run {run}: {times[^1]:0} ms"));
                await Task.Delay(1000); // let the previous session end in the target
            }

            times.Sort();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"watch start to first runtime value over {runs} runs: median {times[times.Count / 2]:0} ms, min {times[0]:0} ms, max {times[^1]:0} ms"));
        }
        finally
        {
            target.Kill();
            await target.WaitForExitAsync();
        }
    }

    private static async Task<double> TimeOneAsync(string tool, int pid)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(tool);
        psi.ArgumentList.Add("watch");
        psi.ArgumentList.Add(pid.ToString(CultureInfo.InvariantCulture));
        psi.ArgumentList.Add("--json-lines");
        var clock = Stopwatch.StartNew();
        using var watch = Process.Start(psi)!;
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            while (await watch.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
            {
                if (line.Contains("\"dotnet.gc.", StringComparison.Ordinal))
                {
                    return clock.Elapsed.TotalMilliseconds;
                }
            }

            throw new InvalidOperationException("memlens watch ended without a runtime value: " + await watch.StandardError.ReadToEndAsync());
        }
        finally
        {
            watch.Kill();
            await watch.WaitForExitAsync();
        }
    }

    private static string FindTool()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "MemLens.sln")))
            {
                string tool = Path.Combine(dir.FullName, "src", "MemLens.Tool", "bin", "Release", "net10.0", "MemLens.Tool.dll");
                return File.Exists(tool) ? tool : throw new InvalidOperationException($"build the tool first: dotnet build -c Release src/MemLens.Tool ({tool} is missing)");
            }
        }

        throw new InvalidOperationException("run from the repository (MemLens.sln not found above " + AppContext.BaseDirectory + ")");
    }
}
