using System.Diagnostics;

namespace MemLens.EndToEnd.Tests.Snapshots;

/// <summary>bench/MemLens.HeapTarget started as a child: a heap of a known number of objects; killed on dispose.</summary>
internal sealed class HeapTargetProcess : IAsyncDisposable
{
    private HeapTargetProcess(Process process) => Process = process;

    public Process Process { get; }

    public int Pid => Process.Id;

    public static async Task<HeapTargetProcess> StartAsync(long objects)
    {
        var psi = new ProcessStartInfo(ToolProcess.Dotnet)
        {
            RedirectStandardOutput = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "MemLens.HeapTarget.dll"));
        psi.ArgumentList.Add(objects.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var target = new HeapTargetProcess(Process.Start(psi)!);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        string? line = await target.Process.StandardOutput.ReadLineAsync(cts.Token);
        if (line is null || !line.StartsWith("ready ", StringComparison.Ordinal))
        {
            await target.DisposeAsync();
            throw new InvalidOperationException($"heap target did not get ready: {line}");
        }

        return target;
    }

    public ValueTask DisposeAsync() => ToolProcess.KillAndDisposeAsync(Process);
}
