using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Xunit;

namespace MemLens.EndToEnd.Tests.Go;

/// <summary>
/// `memlens run` on a real Go program (samples/go/gctrace, built here with the Go toolchain) and `memlens trace`
/// on its output: the GC events memlens stores are the gctrace lines the runtime printed, figure for figure.
/// </summary>
public sealed partial class GoTraceCommandTests
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(90);

    // Read independently of memlens's parser: number, start, heap start/end/live, goal, P, forced.
    [GeneratedRegex(@"^gc (\d+) @([\d.]+)s \d+%: .* (\d+)->(\d+)->(\d+) MB, (\d+) MB goal, .*?(\d+) P( \(forced\))?$")]
    private static partial Regex GcLine();

    [Fact]
    public async Task Run_stores_one_go_gc_event_per_gctrace_line_with_the_same_figures_and_keeps_the_users_GODEBUG()
    {
        string program = await GoPrograms.BuildAsync("gctrace");
        var env = new Dictionary<string, string> { ["GODEBUG"] = "madvdontneed=0,gctrace=0" };

        var (code, stdout, stderr) = await ToolProcess.RunAsync(s_timeout, env, stdin: null, "run", "--json-lines", "--show-trace", "--", program);

        Assert.Equal(0, code);
        // The user's settings reach the program, the trace is turned on after them, and the user is told.
        Assert.Contains("GODEBUG=madvdontneed=0,gctrace=0,gctrace=1,scavtrace=1", stdout, StringComparison.Ordinal);
        Assert.Contains("GODEBUG's gctrace=0 was replaced", stderr, StringComparison.Ordinal);
        Assert.Contains("is a Go program (go", stderr, StringComparison.Ordinal);

        var printed = stderr.Split('\n').Select(l => GcLine().Match(l.TrimEnd('\r'))).Where(m => m.Success).ToList();
        Assert.True(printed.Count >= 20, $"the sample prints hundreds of GCs; got {printed.Count}:\n{stderr}");
        var samples = JsonLines(stdout);
        var stored = samples.SelectMany(s => s.GetProperty("events").EnumerateArray()).Where(e => e.GetProperty("type").GetString() == "go.gc").ToList();

        Assert.Equal(printed.Count, stored.Count);
        foreach (var (line, e) in printed.Zip(stored))
        {
            long Mb(int group) => long.Parse(line.Groups[group].Value, CultureInfo.InvariantCulture) << 20;
            Assert.Equal(long.Parse(line.Groups[1].Value, CultureInfo.InvariantCulture), e.GetProperty("number").GetInt64());
            Assert.Equal(double.Parse(line.Groups[2].Value, CultureInfo.InvariantCulture), e.GetProperty("since_start").GetDouble(), 6);
            Assert.Equal(Mb(3), e.GetProperty("heap_start").GetInt64());
            Assert.Equal(Mb(4), e.GetProperty("heap_end").GetInt64());
            Assert.Equal(Mb(5), e.GetProperty("heap_live").GetInt64());
            Assert.Equal(Mb(6), e.GetProperty("heap_goal").GetInt64());
            Assert.Equal(int.Parse(line.Groups[7].Value, CultureInfo.InvariantCulture), e.GetProperty("procs").GetInt32());
            Assert.Equal(line.Groups[8].Success, e.GetProperty("forced").GetBoolean());
        }

        Assert.Contains(stored, e => e.GetProperty("forced").GetBoolean()); // the sample calls runtime.GC() once
        int scavLines = stderr.Split('\n').Count(l => l.StartsWith("scav ", StringComparison.Ordinal));
        Assert.True(scavLines > 0);
        Assert.Equal(scavLines, samples.SelectMany(s => s.GetProperty("events").EnumerateArray()).Count(e => e.GetProperty("type").GetString() == "go.scavenge"));

        // Beside the operating system's figures of the same child, the last GC as series.
        var last = samples[^1].GetProperty("metrics");
        Assert.True(last.GetProperty("process.memory.rss").GetDouble() > 0);
        Assert.Equal(stored[^1].GetProperty("number").GetInt64(), last.GetProperty("go.gc.count").GetInt64());
        Assert.Equal(stored[^1].GetProperty("heap_live").GetInt64(), last.GetProperty("go.gc.heap.live").GetInt64());
        Assert.Contains($"memlens: Go trace: {printed.Count} GC lines, {scavLines} scavenger lines, 0 malformed", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_hides_the_trace_lines_but_passes_the_programs_own_output_through()
    {
        string program = await GoPrograms.BuildAsync("gctrace");

        var (code, stdout, stderr) = await ToolProcess.RunAsync(s_timeout, new Dictionary<string, string>(), stdin: null, "run", "--json-lines", "--", program);

        Assert.Equal(0, code);
        Assert.DoesNotContain(stderr.Split('\n'), l => l.StartsWith("gc ", StringComparison.Ordinal) || l.StartsWith("scav ", StringComparison.Ordinal));
        Assert.Contains("gctrace sample: done", stderr, StringComparison.Ordinal); // its own stderr line
        Assert.Contains("gctrace sample: allocating", stdout, StringComparison.Ordinal); // its stdout, untouched
        Assert.Contains("GODEBUG=gctrace=1,scavtrace=1\n", stdout, StringComparison.Ordinal);
        Assert.Contains(JsonLines(stdout).SelectMany(s => s.GetProperty("events").EnumerateArray()), e => e.GetProperty("type").GetString() == "go.gc");
    }

    [Fact]
    public async Task Trace_from_a_pipe_prints_the_events_and_a_summary_and_passes_other_lines_to_stderr()
    {
        string log = await CaptureTraceAsync();
        string[] lines = log.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        string input = log + "gc 99 @oops\n";

        var (code, stdout, stderr) = await ToolProcess.RunAsync(s_timeout, new Dictionary<string, string>(), input, "trace", "-", "--json-lines");

        Assert.Equal(0, code);
        var objects = JsonLines(stdout);

        // The appended line is malformed. Under load the Go runtime's trace writes can also land inside another line of
        // the captured log (a fresh-clone run had one), which is then malformed too: each such report must quote a line
        // of the log that starts like a trace line, and the counts below leave those lines out.
        var malformed = objects.Where(o => o.GetProperty("type").GetString() == "go.trace.malformed").Select(o => o.GetProperty("message").GetString()!).ToList();
        Assert.Single(malformed, m => m.Contains("gc 99 @oops", StringComparison.Ordinal));
        var broken = lines.Where(l => (l.StartsWith("gc ", StringComparison.Ordinal) || l.StartsWith("scav ", StringComparison.Ordinal))
            && malformed.Any(m => m.Contains(l, StringComparison.Ordinal))).ToList();
        Assert.True(malformed.Count == 1 + broken.Count, $"malformed: {string.Join(" | ", malformed)}; of the log: {string.Join(" | ", broken)}");
        int gcLines = lines.Count(l => GcLine().IsMatch(l) && !broken.Contains(l));
        int scavLines = lines.Count(l => l.StartsWith("scav ", StringComparison.Ordinal) && !broken.Contains(l));

        int gcEvents = objects.Count(o => o.GetProperty("type").GetString() == "go.gc");
        int scavEvents = objects.Count(o => o.GetProperty("type").GetString() == "go.scavenge");
        Assert.True(gcEvents == gcLines && scavEvents == scavLines,
            $"{gcEvents} go.gc events for {gcLines} gc lines, {scavEvents} go.scavenge events for {scavLines} scav lines; the input:\n{log}\nstderr:\n{stderr}");
        var summary = objects[^1];
        Assert.Equal("summary", summary.GetProperty("type").GetString());
        Assert.Equal(gcLines, summary.GetProperty("gc_lines").GetInt32());
        Assert.Equal(scavLines, summary.GetProperty("scavenge_lines").GetInt32());
        Assert.Equal(malformed.Count, summary.GetProperty("malformed_lines").GetInt32());
        Assert.Equal(lines.Length - gcLines - scavLines - broken.Count, summary.GetProperty("other_lines").GetInt32());
        Assert.Contains("gctrace sample: done", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Trace_of_a_saved_log_replays_it_on_its_own_timeline_ending_at_the_files_last_write()
    {
        string log = await CaptureTraceAsync();
        string path = Path.Combine(Path.GetTempPath(), $"memlens-trace-{Guid.NewGuid():N}.log");
        await File.WriteAllTextAsync(path, log);
        var mtime = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);
        File.SetLastWriteTimeUtc(path, mtime.UtcDateTime);
        try
        {
            var (code, stdout, _) = await ToolProcess.RunAsync(s_timeout, "trace", path, "--json-lines");

            Assert.Equal(0, code);
            var gcs = JsonLines(stdout).Where(o => o.GetProperty("type").GetString() == "go.gc").ToList();
            Assert.Equal(log.Split('\n').Count(l => GcLine().IsMatch(l)), gcs.Count);
            var lastAt = DateTimeOffset.Parse(gcs[^1].GetProperty("t").GetString()!, CultureInfo.InvariantCulture);
            Assert.Equal(mtime, lastAt);
            // GCs as far apart as their @#s times say.
            var firstAt = DateTimeOffset.Parse(gcs[0].GetProperty("t").GetString()!, CultureInfo.InvariantCulture);
            double span = gcs[^1].GetProperty("since_start").GetDouble() - gcs[0].GetProperty("since_start").GetDouble();
            Assert.Equal(span, (lastAt - firstAt).TotalSeconds, 2);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task Trace_of_a_saved_log_serves_the_replay_in_the_dashboard_opened_on_its_whole_range()
    {
        string log = await CaptureTraceAsync();
        int gcLines = log.Split('\n').Count(l => GcLine().IsMatch(l));
        string path = Path.Combine(Path.GetTempPath(), $"memlens-trace-{Guid.NewGuid():N}.log");
        await File.WriteAllTextAsync(path, log);
        try
        {
            await using var tool = RunningTool.Start("trace", path, "--no-browser");
            var url = new Uri(await tool.WaitForLineAsync("Dashboard:", TimeSpan.FromSeconds(30)));
            Assert.Equal("#range=all", url.Fragment);
            Assert.Contains($"{gcLines} GC lines", tool.Stderr, StringComparison.Ordinal);

            using var http = new HttpClient();
            using var catalog = JsonDocument.Parse(await http.GetStringAsync(new Uri(url, "api/catalog")));
            Assert.Equal("go", catalog.RootElement.GetProperty("target").GetProperty("runtime").GetString());
            Assert.False(catalog.RootElement.GetProperty("live").GetBoolean()); // a replay: no stream, presets at its end
            long first = catalog.RootElement.GetProperty("firstTs").GetInt64();
            using var events = JsonDocument.Parse(await http.GetStringAsync(new Uri(url, $"api/events?from={first}&to={first + 3_600_000}")));
            var json = events.RootElement.ToString();
            Assert.Equal(gcLines, System.Text.RegularExpressions.Regex.Count(json, "\"type\":\\s*\"go.gc\""));
            Assert.Equal(0, await tool.InterruptAsync(TimeSpan.FromSeconds(15)));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task Trace_of_a_missing_file_is_one_line_and_exit_code_1()
    {
        var (code, _, stderr) = await ToolProcess.RunAsync(s_timeout, "trace", "/nonexistent/trace.log", "--json-lines");
        Assert.Equal(1, code);
        Assert.Equal("memlens: no such file: /nonexistent/trace.log", stderr.Trim());
    }

    /// <summary>The sample's whole output (stdout and stderr, trace on) as a user would save it: ./svc 2&gt;&amp;1 &gt; log.</summary>
    private static async Task<string> CaptureTraceAsync()
    {
        string program = await GoPrograms.BuildAsync("gctrace");
        var psi = new System.Diagnostics.ProcessStartInfo("/bin/sh", ["-c", "\"$0\" 2>&1", program])
        {
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        psi.Environment["GODEBUG"] = "gctrace=1,scavtrace=1";
        using var p = System.Diagnostics.Process.Start(psi)!;
        string output = await p.StandardOutput.ReadToEndAsync();
        await p.WaitForExitAsync();
        Assert.Equal(0, p.ExitCode);
        return output;
    }

    private static List<JsonElement> JsonLines(string stdout) =>
        stdout.Split('\n').Where(l => l.StartsWith('{')).Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList();
}
