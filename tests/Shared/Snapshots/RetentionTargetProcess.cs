using System.Diagnostics;
using System.Globalization;

namespace MemLens.Tests.Shared.Snapshots;

/// <summary>
/// tests/MemLens.RetentionTarget started as a child: a static event's subscribers, a static cache, a
/// ConditionalWeakTable, GC handles and a parked thread's local, each holding <c>count</c> payloads of a known size;
/// killed on dispose.
/// </summary>
internal sealed class RetentionTargetProcess : IAsyncDisposable
{
    private static readonly TimeSpan s_answer = TimeSpan.FromSeconds(30);

    private RetentionTargetProcess(Process process) => Process = process;

    public Process Process { get; }

    public int Pid => Process.Id;

    /// <summary>Bytes of one payload array as the program works them out (header + length, rounded to 8).</summary>
    public long PayloadObject { get; private set; }

    /// <summary>count × <see cref="PayloadObject"/>: the payload bytes each structure holds.</summary>
    public long Payloads { get; private set; }

    /// <summary>The address of the target's <c>Moved.Holder</c> when it got ready (allocated after its last GC, between garbage).</summary>
    public ulong HolderAtStart { get; private set; }

    public static async Task<RetentionTargetProcess> StartAsync(int count, int payload)
    {
        var (process, ready) = await ChildProgram.StartAsync("MemLens.RetentionTarget.dll",
            [count.ToString(CultureInfo.InvariantCulture), payload.ToString(CultureInfo.InvariantCulture)], TimeSpan.FromSeconds(60));
        return new RetentionTargetProcess(process)
        {
            PayloadObject = ChildProgram.Field(ready, "payload_object"),
            HolderAtStart = ChildProgram.HexField(ready, "holder"),
            Payloads = ChildProgram.Field(ready, "payloads"),
        };
    }

    /// <summary>
    /// Makes one structure leak: <paramref name="structure"/> <c>event</c> subscribes <paramref name="count"/> more
    /// Sessions to <c>Hub.Changed</c>, <c>cache</c> adds as many entries to <c>Catalog.Cache</c>, each with a payload.
    /// </summary>
    public async Task GrowAsync(string structure, int count)
    {
        string line = await ChildProgram.AskAsync(Process, string.Create(CultureInfo.InvariantCulture, $"grow {structure} {count}"), s_answer);
        if (!line.StartsWith("grown ", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"the target did not grow: {line}");
        }
    }

    /// <summary>Where <c>Moved.Holder</c> is now.</summary>
    public async Task<ulong> HolderNowAsync() => ChildProgram.HexField(await ChildProgram.AskAsync(Process, "addr", s_answer), "holder");

    public ValueTask DisposeAsync() => ChildProgram.KillAsync(Process);
}
