using System.Diagnostics;

namespace MemLens.Tests.Procfs;

/// <summary>A real child process for live tests, killed and reaped on dispose.</summary>
internal sealed class ChildProcess : IDisposable
{
    private ChildProcess(Process process) => Process = process;

    public Process Process { get; }

    public int Pid => Process.Id;

    /// <summary>Starts <paramref name="file"/>; when <paramref name="readyLine"/> is given, waits until the child prints it.</summary>
    public static ChildProcess Start(string file, string[] args, string? readyLine = null, bool captureOutput = false)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = readyLine is not null || captureOutput, RedirectStandardInput = true, UseShellExecute = false };
        foreach (string a in args)
        {
            psi.ArgumentList.Add(a);
        }

        var child = new ChildProcess(Process.Start(psi)!);
        if (readyLine is not null)
        {
            var read = child.Process.StandardOutput.ReadLineAsync();
            if (!read.Wait(TimeSpan.FromSeconds(30)) || read.Result != readyLine)
            {
                child.Dispose();
                throw new InvalidOperationException($"{file} did not print '{readyLine}'.");
            }
        }

        return child;
    }

    public static string? FindOnPath(string name)
    {
        foreach (string dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            string candidate = Path.Combine(dir, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    /// <summary>Runs a command to completion and returns its stdout.</summary>
    public static string Run(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (string a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using var p = Process.Start(psi)!;
        string output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return output;
    }

    public void Dispose()
    {
        try
        {
            if (!Process.HasExited)
            {
                Process.Kill(entireProcessTree: true);
            }

            Process.WaitForExit(10_000);
        }
        catch (InvalidOperationException)
        {
        }

        Process.Dispose();
    }
}
