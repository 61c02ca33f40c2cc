using System.Diagnostics;
using System.Globalization;

namespace MemLens.Tests.Shared;

/// <summary>
/// The test programs that sit beside the tests (bench/MemLens.HeapTarget, tests/MemLens.RetentionTarget): started
/// with stdin and stdout piped, each says <c>ready name=value …</c> once its heap is built and answers one line per
/// command; these read those lines.
/// </summary>
internal static class ChildProgram
{
    /// <summary>The dotnet host running the tests (dotnet test sets DOTNET_HOST_PATH), else the one on PATH.</summary>
    public static string Dotnet =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";

    /// <summary>Starts <paramref name="dll"/> (beside the tests) with <paramref name="args"/> and waits for its <c>ready</c> line.</summary>
    /// <returns>The process and its ready line; the process is killed when it does not get ready.</returns>
    public static async Task<(Process Process, string Ready)> StartAsync(string dll, IEnumerable<string> args, TimeSpan timeout)
    {
        var psi = new ProcessStartInfo(Dotnet) { RedirectStandardOutput = true, RedirectStandardInput = true, UseShellExecute = false };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, dll));
        foreach (string a in args)
        {
            psi.ArgumentList.Add(a);
        }

        var process = Process.Start(psi)!;
        using var cts = new CancellationTokenSource(timeout);
        string? line = await process.StandardOutput.ReadLineAsync(cts.Token);
        if (line is null || !line.StartsWith("ready ", StringComparison.Ordinal))
        {
            await KillAsync(process);
            throw new InvalidOperationException($"{dll} did not get ready: {line}");
        }

        return (process, line);
    }

    /// <summary>Sends one command and returns the program's answer line.</summary>
    public static async Task<string> AskAsync(Process process, string command, TimeSpan timeout)
    {
        await process.StandardInput.WriteLineAsync(command);
        await process.StandardInput.FlushAsync();
        using var cts = new CancellationTokenSource(timeout);
        return await process.StandardOutput.ReadLineAsync(cts.Token) ?? throw new InvalidOperationException($"the program exited on '{command}'");
    }

    /// <summary>The decimal value of <c>name=value</c> in a line.</summary>
    public static long Field(string line, string name) => long.Parse(Token(line, name), CultureInfo.InvariantCulture);

    /// <summary>The hexadecimal value of <c>name=value</c> in a line.</summary>
    public static ulong HexField(string line, string name) => ulong.Parse(Token(line, name), NumberStyles.HexNumber, CultureInfo.InvariantCulture);

    /// <summary>Kills the program and its children if it still runs, and disposes it.</summary>
    public static async ValueTask KillAsync(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }

        process.Dispose();
    }

    private static string Token(string line, string name)
    {
        string prefix = name + "=";
        return line.Split(' ').Single(t => t.StartsWith(prefix, StringComparison.Ordinal))[prefix.Length..];
    }
}
