using System.Diagnostics;
using System.Globalization;
using MemLens.Tests.Shared;

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
        var (process, ready) = await ChildProgram.StartAsync("MemLens.HeapTarget.dll", [objects.ToString(CultureInfo.InvariantCulture), shape], TimeSpan.FromSeconds(120));
        return new HeapTargetProcess(process) { Objects = ChildProgram.Field(ready, "objects"), LiveBytes = ChildProgram.Field(ready, "live") };
    }

    /// <summary>Has the program run a full compacting GC and report its live bytes again (the reference right before a snapshot).</summary>
    public async Task FullGcAsync() => LiveBytes = ChildProgram.Field(await ChildProgram.AskAsync(Process, "gc", TimeSpan.FromSeconds(60)), "live");

    public ValueTask DisposeAsync() => ChildProgram.KillAsync(Process);
}
