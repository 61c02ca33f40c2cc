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
    private RetentionTargetProcess(Process process) => Process = process;

    public Process Process { get; }

    public int Pid => Process.Id;

    /// <summary>Bytes of one payload array as the program works them out (header + length, rounded to 8).</summary>
    public long PayloadObject { get; private set; }

    /// <summary>count × <see cref="PayloadObject"/>: the payload bytes each structure holds.</summary>
    public long Payloads { get; private set; }

    public static async Task<RetentionTargetProcess> StartAsync(int count, int payload)
    {
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "MemLens.RetentionTarget.dll"));
        psi.ArgumentList.Add(count.ToString(CultureInfo.InvariantCulture));
        psi.ArgumentList.Add(payload.ToString(CultureInfo.InvariantCulture));
        var target = new RetentionTargetProcess(Process.Start(psi)!);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        string? line = await target.Process.StandardOutput.ReadLineAsync(cts.Token);
        if (line is null || !line.StartsWith("ready ", StringComparison.Ordinal))
        {
            await target.DisposeAsync();
            throw new InvalidOperationException($"retention target did not get ready: {line}");
        }

        target.PayloadObject = Field(line, "payload_object");
        target.HolderAtStart = HexField(line, "holder");
        target.Payloads = Field(line, "payloads");
        return target;
    }

    /// <summary>The address of the target's <c>Moved.Holder</c> when it got ready (allocated after its last GC, between garbage).</summary>
    public ulong HolderAtStart { get; private set; }

    /// <summary>
    /// Makes one structure leak: <paramref name="structure"/> <c>event</c> subscribes <paramref name="count"/> more
    /// Sessions to <c>Hub.Changed</c>, <c>cache</c> adds as many entries to <c>Catalog.Cache</c>, each with a payload.
    /// </summary>
    public async Task GrowAsync(string structure, int count)
    {
        await Process.StandardInput.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"grow {structure} {count}"));
        await Process.StandardInput.FlushAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        string line = await Process.StandardOutput.ReadLineAsync(cts.Token) ?? throw new InvalidOperationException("the target exited");
        if (!line.StartsWith("grown ", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"the target did not grow: {line}");
        }
    }

    /// <summary>Where <c>Moved.Holder</c> is now.</summary>
    public async Task<ulong> HolderNowAsync()
    {
        await Process.StandardInput.WriteLineAsync("addr");
        await Process.StandardInput.FlushAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        string line = await Process.StandardOutput.ReadLineAsync(cts.Token) ?? throw new InvalidOperationException("the target exited");
        return HexField(line, "holder");
    }

    private static ulong HexField(string line, string name)
    {
        string prefix = name + "=";
        string token = line.Split(' ').Single(t => t.StartsWith(prefix, StringComparison.Ordinal));
        return ulong.Parse(token[prefix.Length..], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
    }

    private static long Field(string line, string name)
    {
        string prefix = name + "=";
        string token = line.Split(' ').Single(t => t.StartsWith(prefix, StringComparison.Ordinal));
        return long.Parse(token[prefix.Length..], CultureInfo.InvariantCulture);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!Process.HasExited)
            {
                Process.Kill(entireProcessTree: true);
                await Process.WaitForExitAsync();
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }

        Process.Dispose();
    }
}
