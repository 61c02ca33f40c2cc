using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace MemLens.EndToEnd.Tests;

/// <summary>
/// memlens started as a long-running child (the dashboard modes): its output read as it comes, lines awaited,
/// stopped like a user would (Ctrl+C), killed with everything it started on dispose.
/// </summary>
internal sealed partial class RunningTool : IAsyncDisposable
{
    private const int Sigint = 2;
    private const int Sigterm = 15;
    private readonly Process _process;
    private readonly List<string> _stdoutLines = [];
    private readonly StringBuilder _stderr = new();
    private readonly Task _exited;

    private RunningTool(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (_stdoutLines)
                {
                    _stdoutLines.Add(e.Data);
                }
            }
        };
        _process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (_stderr)
                {
                    _stderr.AppendLine(e.Data);
                }
            }
        };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        _exited = _process.WaitForExitAsync();
    }

    public int Pid => _process.Id;

    /// <summary>The memlens process itself, e.g. to kill it with SIGKILL.</summary>
    public Process Process => _process;

    public string Stdout
    {
        get
        {
            lock (_stdoutLines)
            {
                return string.Join('\n', _stdoutLines);
            }
        }
    }

    public string Stderr
    {
        get
        {
            lock (_stderr)
            {
                return _stderr.ToString();
            }
        }
    }

    public static RunningTool Start(params string[] args) => Start(new Dictionary<string, string>(), args);

    /// <summary>Starts memlens with extra environment variables (which a child of `memlens run` inherits).</summary>
    public static RunningTool Start(IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var psi = new ProcessStartInfo(ToolProcess.Dotnet)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = ToolProcess.WorkDir,
        };
        psi.ArgumentList.Add(ToolProcess.ToolDll);
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        foreach (var (name, value) in environment)
        {
            psi.Environment[name] = value;
        }

        return new RunningTool(Process.Start(psi)!);
    }

    /// <summary>The first stdout line starting with <paramref name="prefix"/>, without the prefix; fails if memlens exits first.</summary>
    public Task<string> WaitForLineAsync(string prefix, TimeSpan timeout) =>
        WaitForLineAsync(prefix, timeout, "", () =>
        {
            lock (_stdoutLines)
            {
                return _stdoutLines.ToArray();
            }
        });

    /// <summary>The first stderr line starting with <paramref name="prefix"/>, without the prefix; fails if memlens exits first.</summary>
    public Task<string> WaitForStderrLineAsync(string prefix, TimeSpan timeout) =>
        WaitForLineAsync(prefix, timeout, " on stderr", () => Stderr.Split('\n'));

    private async Task<string> WaitForLineAsync(string prefix, TimeSpan timeout, string where, Func<IReadOnlyList<string>> lines)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            if (lines().FirstOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal)) is { } line)
            {
                return line[prefix.Length..].Trim();
            }

            if (_exited.IsCompleted)
            {
                throw new InvalidOperationException($"memlens exited with code {_process.ExitCode} before printing '{prefix}'{where}: {Stderr}");
            }

            if (deadline.Elapsed > timeout)
            {
                throw new TimeoutException($"memlens printed no '{prefix}' line{where} within {timeout}. stdout: {Stdout} stderr: {Stderr}");
            }

            await Task.Delay(50);
        }
    }

    /// <summary>Sends what Ctrl+C sends and returns the exit code.</summary>
    /// <remarks>
    /// A program started with SIGINT ignored (say, a test run started with &amp; from a script) passes that on to
    /// its children, and .NET then leaves SIGINT ignored; memlens handles SIGTERM through the same path, so that
    /// is sent instead in that case.
    /// </remarks>
    public async Task<int> InterruptAsync(TimeSpan timeout)
    {
        int signal = SigintIgnoredHere() ? Sigterm : Sigint;
        if (Kill(_process.Id, signal) != 0)
        {
            throw new InvalidOperationException($"kill({_process.Id}, {signal}) failed: errno {Marshal.GetLastPInvokeError()}");
        }

        return await WaitForExitAsync(timeout);
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        try
        {
            await _exited.WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"memlens did not exit within {timeout}. stderr: {Stderr}");
        }

        return _process.ExitCode;
    }

    public ValueTask DisposeAsync() => ToolProcess.KillAndDisposeAsync(_process);

    private static bool SigintIgnoredHere()
    {
        // SigIgn in /proc/self/status is a hex mask; bit (signal − 1) is set for an ignored signal.
        var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("SigIgn:", StringComparison.Ordinal));
        return line is not null
               && ulong.TryParse(line["SigIgn:".Length..].Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out ulong mask)
               && (mask & (1UL << (Sigint - 1))) != 0;
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
