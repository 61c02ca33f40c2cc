using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Runtime.Versioning;
using MemLens.Tool.Cli;
using Microsoft.Data.Sqlite;
using Xunit;

namespace MemLens.EndToEnd.Tests.Probes;

/// <summary>
/// The command line probed as an unlucky operator and a hostile process would: argument mistakes on every verb,
/// tokens kept off the command line, recordings with impossible times, a short-lived program under run, trace
/// inputs, and process names holding terminal escapes. Each asserts what the user sees.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class CliProbeTests
{
    private static readonly TimeSpan s_run = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan s_start = TimeSpan.FromSeconds(30);

    // ---- argument mistakes ----

    /// <summary>
    /// Every verb of the real command tree (so a new verb is covered as soon as it is added) × a bad positional, an
    /// unknown option, a bad value for each typed option, and -p (an option no verb has) with a number and a word.
    /// </summary>
    public static IEnumerable<string[]> ArgumentMistakes()
    {
        foreach (var verb in MemLensCli.Build().Subcommands)
        {
            string v = verb.Name;
            string[] fill = [.. verb.Arguments.SelectMany(a => Enumerable.Repeat(IsInteger(a.ValueType) ? "1" : "x", a.Arity.MinimumNumberOfValues))];
            yield return [v, "--bogus"];
            yield return [v, "-p", "10085"];
            yield return [v, "-p", "abc"];
            yield return [v, "-p", "99999999999999999999"];
            if (verb.Arguments.Any(a => IsInteger(a.ValueType)))
            {
                yield return [v, "abc"];
                yield return [v, "99999999999999999999"];
            }

            if (verb.Arguments.Sum(a => (long)a.Arity.MaximumNumberOfValues) < 1000)
            {
                yield return [v, .. fill, "extra", "extra"];
            }

            foreach (var option in verb.Options.Where(o => !IsUntyped(o.ValueType)))
            {
                yield return [v, option.Name, "abc", .. fill];
            }
        }
    }

    [Fact]
    public async Task Every_verb_answers_an_argument_mistake_with_one_line_and_exit_code_2()
    {
        var cases = ArgumentMistakes().ToList();
        Assert.True(cases.Count > 40, $"only {cases.Count} cases were generated from the command tree");
        var failures = new List<string>();
        using var gate = new SemaphoreSlim(2);
        await Task.WhenAll(cases.Select(async args =>
        {
            await gate.WaitAsync();
            try
            {
                var (code, stdout, stderr) = await ToolProcess.RunAsync(s_run, args);
                if (Problem(code, 2, stdout, stderr) is { } problem)
                {
                    lock (failures)
                    {
                        failures.Add($"memlens {string.Join(' ', args)}: {problem}");
                    }
                }
            }
            finally
            {
                gate.Release();
            }
        }));
        Assert.True(failures.Count == 0, $"{failures.Count} of {cases.Count} mistakes were not one line with exit code 2:\n{string.Join('\n', failures)}");
    }

    [Fact]
    public async Task Every_verb_with_a_name_option_says_a_missing_process_in_one_line_with_exit_code_3()
    {
        var verbs = MemLensCli.Build().Subcommands.Where(c => c.Options.Any(o => o.Name == "--name")).Select(c => c.Name).ToList();
        Assert.Contains("watch", verbs);
        foreach (string verb in verbs)
        {
            var (code, stdout, stderr) = await ToolProcess.RunAsync(s_run, verb, "--name", "no-such-process-memlens-probe", "--json-lines");
            Assert.True(Problem(code, 3, stdout, stderr) is null, $"memlens {verb} --name …: {Problem(code, 3, stdout, stderr)}");
            Assert.Contains("no-such-process-memlens-probe", stderr, StringComparison.Ordinal);
        }
    }

    // ---- tokens off the command line ----

    [Fact]
    public async Task A_token_from_MEMLENS_TOKEN_guards_a_public_dashboard_without_appearing_in_its_command_line()
    {
        using var sleeper = Sleeper();
        string token = "env-" + Guid.NewGuid().ToString("N");
        await using var tool = RunningTool.Start(new Dictionary<string, string> { ["MEMLENS_TOKEN"] = token },
            "watch", Pid(sleeper), "--bind", "0.0.0.0", "--no-browser", "--no-record");
        await AssertGuardedByAsync(tool, token);
        Assert.DoesNotContain("visible", tool.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_token_from_a_token_file_guards_a_public_dashboard_without_appearing_in_its_command_line()
    {
        using var sleeper = Sleeper();
        string token = "file-" + Guid.NewGuid().ToString("N");
        string file = Path.Combine(ToolProcess.WorkDir, "token-" + Guid.NewGuid().ToString("N"));
        await File.WriteAllTextAsync(file, token + "\n");
        File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        await using var tool = RunningTool.Start("watch", Pid(sleeper), "--bind", "0.0.0.0", "--token-file", file, "--no-browser", "--no-record");
        await AssertGuardedByAsync(tool, token);
        Assert.DoesNotContain("readable by", tool.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_token_file_other_users_may_read_is_used_with_a_warning()
    {
        using var sleeper = Sleeper();
        string token = "shared-" + Guid.NewGuid().ToString("N");
        string file = Path.Combine(ToolProcess.WorkDir, "token-" + Guid.NewGuid().ToString("N"));
        await File.WriteAllTextAsync(file, token);
        File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        await using var tool = RunningTool.Start("watch", Pid(sleeper), "--bind", "0.0.0.0", "--token-file", file, "--no-browser", "--no-record");
        await AssertGuardedByAsync(tool, token);
        Assert.Contains($"memlens: warning: {file} is readable by other users", tool.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_token_on_the_command_line_still_works_and_warns_that_ps_shows_it()
    {
        using var sleeper = Sleeper();
        string token = "argv-" + Guid.NewGuid().ToString("N");
        await using var tool = RunningTool.Start("watch", Pid(sleeper), "--bind", "0.0.0.0", "--token", token, "--no-browser", "--no-record");
        await AssertGuardedByAsync(tool, token, expectOnCommandLine: true);
        Assert.Contains("memlens: warning: --token is visible to every user of this machine (ps, /proc)", tool.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--token", "short")]
    [InlineData("MEMLENS_TOKEN", "short")]
    [InlineData("--token-file", "short")]
    [InlineData("--metrics-token", "short")]
    [InlineData("MEMLENS_METRICS_TOKEN", "fifteen-chars-x")]
    public async Task A_short_token_on_a_public_address_is_refused_in_one_line(string where, string token)
    {
        using var sleeper = Sleeper();
        var env = new Dictionary<string, string>();
        var args = new List<string> { "watch", Pid(sleeper), "--no-browser", "--no-record" };
        bool metrics = where.Contains("METRICS", StringComparison.OrdinalIgnoreCase) || where.StartsWith("--metrics", StringComparison.Ordinal);
        args.AddRange(metrics ? ["--metrics-port", "0", "--metrics-bind", "0.0.0.0"] : ["--bind", "0.0.0.0"]);
        switch (where)
        {
            case "--token-file":
                string file = Path.Combine(ToolProcess.WorkDir, "token-" + Guid.NewGuid().ToString("N"));
                await File.WriteAllTextAsync(file, token);
                File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
                args.AddRange([where, file]);
                break;
            case var option when option.StartsWith("--", StringComparison.Ordinal):
                args.AddRange([option, token]);
                break;
            default:
                env[where] = token;
                break;
        }

        var (code, stdout, stderr) = await ToolProcess.RunAsync(s_run, env, stdin: null, [.. args]);
        Assert.True(Problem(code, 2, stdout, stderr) is null, Problem(code, 2, stdout, stderr));
        Assert.Contains("at least 16 characters", stderr, StringComparison.Ordinal);
        Assert.Contains("openssl rand", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_short_token_on_loopback_is_accepted()
    {
        using var sleeper = Sleeper();
        await using var tool = RunningTool.Start(new Dictionary<string, string> { ["MEMLENS_TOKEN"] = "local" },
            "watch", Pid(sleeper), "--no-browser", "--no-record");
        var url = new Uri(await tool.WaitForLineAsync("Dashboard:", s_start));
        Assert.Equal("#token=local", url.Fragment);
    }

    private static async Task AssertGuardedByAsync(RunningTool tool, string token, bool expectOnCommandLine = false)
    {
        var url = new Uri(await tool.WaitForLineAsync("Dashboard:", s_start));
        string commandLine = (await File.ReadAllTextAsync($"/proc/{tool.Pid}/cmdline")).Replace('\0', ' ');
        Assert.Equal(expectOnCommandLine, commandLine.Contains(token, StringComparison.Ordinal));
        var catalog = new Uri($"http://127.0.0.1:{url.Port}/api/catalog");
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        using (var denied = await http.GetAsync(catalog))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, denied.StatusCode);
        }

        using var request = new HttpRequestMessage(HttpMethod.Get, catalog);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var allowed = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
    }

    // ---- recordings with impossible times ----

    [Theory]
    [InlineData(long.MaxValue)]
    [InlineData(long.MinValue)]
    [InlineData(-5L)]
    public async Task A_recording_with_an_out_of_range_time_is_read_by_every_command_without_a_stack_trace(long badTime)
    {
        string db = await RecordingWithTimeAsync(badTime);
        string html = Path.ChangeExtension(db, ".html");
        var runs = new (string Name, string[] Args)[]
        {
            ("report", ["report", db, "-o", html]),
            ("doctor", ["doctor", db]),
            ("export", ["export", db]),
            ("open", ["open", db, "--duration", "1s", "--no-browser"]),
        };
        foreach (var (name, args) in runs)
        {
            var (code, stdout, stderr) = await ToolProcess.RunAsync(s_run, args);
            Assert.True(code == 0 && !stderr.Contains("   at ", StringComparison.Ordinal) && !stderr.Contains("Exception", StringComparison.Ordinal),
                $"memlens {name} with a row at t={badTime}: exit {code}, stderr: {stderr}");
            Assert.NotEmpty(name == "report" ? await File.ReadAllTextAsync(html) : stdout);
            if (badTime is long.MaxValue or long.MinValue)
            {
                // The point and the event at the impossible time are skipped, and said to be, the same way by every command.
                Assert.Contains("skipped 2 rows whose time lies outside years 1-9999", stderr, StringComparison.Ordinal);
            }
        }

        // The span stated is the recording's real one (seconds), not one stretched to the impossible row.
        var (_, _, reported) = await ToolProcess.RunAsync(s_run, "report", db, "-o", html);
        if (badTime is long.MaxValue or long.MinValue)
        {
            Assert.Matches(@"\b\d+(\.\d+)?s recorded", reported);
        }
    }

    private static async Task<string> RecordingWithTimeAsync(long badTime)
    {
        using var sleeper = Sleeper();
        string db = Path.Combine(ToolProcess.WorkDir, $"bad-time-{Guid.NewGuid():N}.db");
        var (code, _, stderr) = await ToolProcess.RunAsync(s_run, "watch", Pid(sleeper), "--json-lines", "--duration", "2s", "--record", db);
        Assert.True(code == 0, stderr);
        using var connection = new SqliteConnection($"Data Source={db};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = """
            UPDATE samples SET t = $t WHERE metric = (SELECT min(metric) FROM samples)
                AND t = (SELECT min(t) FROM samples WHERE metric = (SELECT min(metric) FROM samples));
            INSERT INTO events(t, type, text, fields) VALUES ($t, 'note', 'impossible time', '{}');
            """;
        command.Parameters.AddWithValue("$t", badTime);
        Assert.True(command.ExecuteNonQuery() >= 2);
        return db;
    }

    // ---- run with a short-lived program that is not .NET ----

    [Fact]
    public async Task Run_watches_a_short_program_that_is_not_dotnet_from_its_start_and_records_its_samples_and_exit()
    {
        string db = Path.Combine(ToolProcess.WorkDir, $"run-sh-{Guid.NewGuid():N}.db");
        var (code, stdout, stderr) = await ToolProcess.RunAsync(s_run, "run", "--json-lines", "--record", db, "--", "/bin/sh", "-c", "sleep 2; exit 7");
        Assert.True(code == 7, $"exit {code}: {stderr}");
        Assert.DoesNotContain("No process", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("diagnostic port", stderr, StringComparison.Ordinal);
        Assert.NotEmpty(stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        using var connection = new SqliteConnection($"Data Source={db};Mode=ReadOnly;Pooling=False");
        connection.Open();
        Assert.True(Scalar(connection, "SELECT (SELECT count(*) FROM samples) + (SELECT count(*) FROM recent)") > 0, "no samples were recorded");
        Assert.Equal(1, Scalar(connection, "SELECT count(*) FROM events WHERE type = 'process.exit'"));
    }

    private static long Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    // ---- trace inputs ----

    [Fact]
    public async Task Trace_of_a_directory_says_it_is_a_directory()
    {
        var (code, stdout, stderr) = await ToolProcess.RunAsync(s_run, "trace", ToolProcess.WorkDir, "--json-lines", "--no-record");
        Assert.True(Problem(code, 1, stdout, stderr) is null, Problem(code, 1, stdout, stderr));
        Assert.Contains("is a directory", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Trace_of_a_saved_log_as_json_lines_passes_its_other_lines_to_stderr()
    {
        string log = Path.Combine(ToolProcess.WorkDir, $"go-{Guid.NewGuid():N}.log");
        await File.WriteAllLinesAsync(log,
        [
            "server listening on :8080",
            "gc 1 @0.012s 2%: 0.026+0.39+0.042 ms clock, 0.10+0.35/0.19/0.20+0.17 ms cpu, 4->4->0 MB, 5 MB goal, 0 MB stacks, 0 MB globals, 4 P",
            "request handled in 3 ms",
        ]);
        var (code, stdout, stderr) = await ToolProcess.RunAsync(s_run, "trace", log, "--json-lines", "--no-record");
        Assert.Equal(0, code);
        var errLines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["server listening on :8080", "request handled in 3 ms"], errLines);
        Assert.DoesNotContain("server listening", stdout, StringComparison.Ordinal);
        Assert.Contains("\"go.gc\"", stdout, StringComparison.Ordinal);
    }

    // ---- names with terminal escapes ----

    [Fact]
    public async Task A_process_named_with_terminal_escapes_is_shown_escaped_by_ps_and_watch()
    {
        string dir = Directory.CreateTempSubdirectory("memlens-esc-").FullName;
        string link = Path.Combine(dir, "ev\u001b[31mred\u0007");
        File.CreateSymbolicLink(link, "/bin/sleep");
        using var hostile = Process.Start(new ProcessStartInfo(link, "120") { UseShellExecute = false })!;
        try
        {
            await WaitUntilAsync(() => File.ReadAllText($"/proc/{hostile.Id}/comm").StartsWith("ev\u001b", StringComparison.Ordinal));
            var (code, stdout, stderr) = await ToolProcess.RunAsync(s_run, "ps", "--sort", "pid", "--no-pss");
            Assert.Equal(0, code);
            string row = Assert.Single(stdout.Split('\n'), l => l.TrimStart().StartsWith(hostile.Id.ToString(CultureInfo.InvariantCulture) + " ", StringComparison.Ordinal));
            // The name and the command line shown with the escapes visible; the process's own sequence never reaches the terminal
            // (memlens's own colours may: Spectre colours a redirected table when TERM says the terminal can).
            Assert.Contains("ev\\x1b[31mred\\x07", row, StringComparison.Ordinal);
            Assert.DoesNotContain("\u001b[31mred", stdout + stderr, StringComparison.Ordinal);
            Assert.DoesNotContain('\u0007', stdout + stderr);

            await using var tool = RunningTool.Start("watch", hostile.Id.ToString(CultureInfo.InvariantCulture), "--no-browser", "--no-record");
            string watching = await tool.WaitForLineAsync("Watching:", s_start);
            Assert.Contains("\\x1b[31mred", watching, StringComparison.Ordinal);
            Assert.DoesNotContain("\u001b[31mred", tool.Stdout + tool.Stderr, StringComparison.Ordinal);
        }
        finally
        {
            hostile.Kill();
            await hostile.WaitForExitAsync();
            Directory.Delete(dir, recursive: true);
        }
    }

    // ---- helpers ----

    /// <summary>Null when the run ended as a user error should: the code, nothing on stdout, one line on stderr and no stack trace.</summary>
    internal static string? Problem(int code, int expected, string stdout, string stderr)
    {
        var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        return code != expected ? $"exit {code}, not {expected}; stderr: {stderr}"
            : stdout.Length > 0 ? $"stdout is not empty: {stdout}"
            : lines.Length != 1 ? $"{lines.Length} lines on stderr: {stderr}"
            : stderr.Contains("Exception", StringComparison.Ordinal) || stderr.Contains("   at ", StringComparison.Ordinal) ? $"a stack trace: {stderr}"
            : null;
    }

    private static bool IsInteger(Type type) => (Nullable.GetUnderlyingType(type) ?? type) is var t && (t == typeof(int) || t == typeof(long));

    private static bool IsUntyped(Type type) => type == typeof(bool) || type == typeof(string) || type == typeof(string[]);

    private static SleepProcess Sleeper() => new(Process.Start(new ProcessStartInfo("sleep", "300") { UseShellExecute = false })!);

    private static string Pid(SleepProcess p) => p.Process.Id.ToString(CultureInfo.InvariantCulture);

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var waited = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(waited.Elapsed < s_start, "the condition did not hold within " + s_start);
            await Task.Delay(20);
        }
    }
}

/// <summary>A <c>sleep</c> child to watch; killed on dispose.</summary>
internal sealed class SleepProcess(Process process) : IDisposable
{
    public Process Process { get; } = process;

    public void Dispose()
    {
        try
        {
            Process.Kill();
            Process.WaitForExit();
        }
        catch (InvalidOperationException)
        {
        }

        Process.Dispose();
    }
}
