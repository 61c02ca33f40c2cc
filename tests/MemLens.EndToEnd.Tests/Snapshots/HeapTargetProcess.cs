using System.Diagnostics;
using System.Globalization;

namespace MemLens.EndToEnd.Tests.Snapshots;

/// <summary>
/// bench/MemLens.HeapTarget started as a child: a heap of a known number of <c>Node</c> objects, and the runtime's own
/// figures for it (the reference a snapshot is checked against); killed on dispose.
/// </summary>
internal sealed class HeapTargetProcess : IAsyncDisposable
{
    private HeapTargetProcess(Process process) => Process = process;

    public Process Process { get; }

    public int Pid => Process.Id;

    /// <summary>The number of live <c>Node</c> objects the program says it keeps (its <c>objects=</c>).</summary>
    public long Objects { get; private set; }

    /// <summary>The program's own count of live bytes after its last full GC (<c>live=</c>: HeapSizeBytes less FragmentedBytes).</summary>
    public long LiveBytes { get; private set; }

    /// <param name="objects">How many nodes.</param>
    /// <param name="shape"><c>chain</c> (in arrays of 8,192, each node pointing at the previous) or <c>flat</c> (one static array).</param>
    public static async Task<HeapTargetProcess> StartAsync(long objects, string shape = "chain")
    {
        var psi = new ProcessStartInfo(ToolProcess.Dotnet)
        {
            RedirectStandardOutput = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "MemLens.HeapTarget.dll"));
        psi.ArgumentList.Add(objects.ToString(CultureInfo.InvariantCulture));
        psi.ArgumentList.Add(shape);
        var target = new HeapTargetProcess(Process.Start(psi)!);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        string? line = await target.Process.StandardOutput.ReadLineAsync(cts.Token);
        if (line is null || !line.StartsWith("ready ", StringComparison.Ordinal))
        {
            await target.DisposeAsync();
            throw new InvalidOperationException($"heap target did not get ready: {line}");
        }

        target.Objects = Field(line, "objects");
        target.LiveBytes = Field(line, "live");
        return target;
    }

    /// <summary>Has the program run a full compacting GC and report its live bytes again (the reference right before a snapshot).</summary>
    public async Task FullGcAsync()
    {
        await Process.StandardInput.WriteLineAsync("gc");
        await Process.StandardInput.FlushAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        string line = await Process.StandardOutput.ReadLineAsync(cts.Token) ?? throw new InvalidOperationException("the heap target exited");
        LiveBytes = Field(line, "live");
    }

    private static long Field(string line, string name)
    {
        string prefix = name + "=";
        string token = line.Split(' ').Single(t => t.StartsWith(prefix, StringComparison.Ordinal));
        return long.Parse(token[prefix.Length..], CultureInfo.InvariantCulture);
    }

    public ValueTask DisposeAsync() => ToolProcess.KillAndDisposeAsync(Process);
}
