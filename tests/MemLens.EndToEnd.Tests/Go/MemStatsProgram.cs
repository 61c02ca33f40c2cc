using System.Diagnostics;
using System.Text.Json;

namespace MemLens.EndToEnd.Tests.Go;

/// <summary>
/// samples/go/memstats running as a child process: its URL (from its <c>listening</c> line) and the
/// <c>memstats {json}</c> lines it prints, one per request to /debug/pprof/heap or /debug/vars, in order.
/// </summary>
internal sealed class MemStatsProgram : IAsyncDisposable
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(30);

    private readonly Process _process;
    private readonly List<string> _lines = [];
    private readonly Task _reader;

    private MemStatsProgram(Process process)
    {
        _process = process;
        _reader = Task.Run(ReadAsync);
    }

    /// <summary>E.g. <c>http://127.0.0.1:41831</c>.</summary>
    public string Url { get; private set; } = "";

    public static async Task<MemStatsProgram> StartAsync(params string[] args)
    {
        string binary = await GoPrograms.BuildAsync("memstats");
        var psi = new ProcessStartInfo(binary, args)
        {
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        var program = new MemStatsProgram(Process.Start(psi)!);
        string listening = await program.WaitForLineAsync(l => l.StartsWith("listening ", StringComparison.Ordinal));
        program.Url = listening["listening ".Length..].Trim();
        return program;
    }

    /// <summary>The program's own figures printed for its <paramref name="request"/>-th MemStats request (1-based).</summary>
    public async Task<JsonElement> MemStatsOfRequestAsync(int request)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            string[] memstats = MemStatsLines();
            if (memstats.Length >= request)
            {
                using var doc = JsonDocument.Parse(memstats[request - 1]);
                return doc.RootElement.Clone();
            }

            if (clock.Elapsed > s_wait || _process.HasExited)
            {
                throw new TimeoutException($"the program printed {memstats.Length} memstats lines, not {request}: {Output()}");
            }

            await Task.Delay(10);
        }
    }

    public string[] MemStatsLines()
    {
        lock (_lines)
        {
            return _lines.Where(l => l.StartsWith("memstats ", StringComparison.Ordinal)).Select(l => l["memstats ".Length..]).ToArray();
        }
    }

    public async Task<string> WaitForLineAsync(Func<string, bool> match)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            lock (_lines)
            {
                string? line = _lines.FirstOrDefault(match);
                if (line is not null)
                {
                    return line;
                }
            }

            if (clock.Elapsed > s_wait || (_process.HasExited && _reader.IsCompleted))
            {
                throw new TimeoutException("the Go program did not print the expected line: " + Output());
            }

            await Task.Delay(10);
        }
    }

    private string Output()
    {
        lock (_lines)
        {
            return string.Join(" | ", _lines);
        }
    }

    private async Task ReadAsync()
    {
        while (await _process.StandardOutput.ReadLineAsync() is { } line)
        {
            lock (_lines)
            {
                _lines.Add(line);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
        }

        await _process.WaitForExitAsync();
        await _reader;
        _process.Dispose();
    }
}
