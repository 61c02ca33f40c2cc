using System.Globalization;
using System.Text.Json;
using MemLens.Tool.Cli;
using Xunit;

namespace MemLens.EndToEnd.Tests;

/// <summary>What a user sees when something is wrong: one clear line and a documented exit code, never a stack trace.</summary>
public sealed class ToolErrorTests
{
    [Fact]
    public async Task Watching_a_pid_that_does_not_exist_says_so_in_one_line_with_exit_code_3()
    {
        var (code, stdout, stderr) = await ToolProcess.RunAsync(TimeSpan.FromSeconds(60), "watch", "999999999", "--json-lines");
        Assert.Equal(3, code);
        Assert.Empty(stdout);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("999999999", line, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_process_that_exits_while_watched_ends_the_watch_with_exit_code_5_and_keeps_the_samples()
    {
        await using var demo = await DemoProcess.StartAsync("--scenario", "idle", "--duration", "3s");
        var (code, stdout, stderr) = await ToolProcess.RunAsync(TimeSpan.FromSeconds(60),
            "watch", demo.Pid.ToString(CultureInfo.InvariantCulture), "--json-lines");
        Assert.Equal(5, code);
        Assert.Contains($"process {demo.Pid} exited", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length >= 1, "no sample was printed before the exit");
        using var last = JsonDocument.Parse(lines[^1]);
        Assert.Contains(last.RootElement.GetProperty("events").EnumerateArray(), e => e.GetProperty("type").GetString() == "process.exit");
    }

    [Theory]
    [InlineData("watch")]
    [InlineData("watch", "12", "--interval", "soon")]
    [InlineData("ps", "--sort", "colour")]
    [InlineData("demo", "--scenario", "nope")]
    [InlineData("watch", "12", "--bind", "example.org")]
    [InlineData("watch", "12", "--port", "70000")]
    [InlineData("watch", "12", "--tui", "--port", "8080")]
    [InlineData("demo", "--tui", "--json-lines")]
    [InlineData("demo", "--interval", "2s")]
    [InlineData("trace", "-", "--tui")]
    [InlineData("trace", "-", "--json-lines", "--port", "8080")]
    [InlineData("run", "--allow-remote", "--", "true")]
    public async Task Bad_arguments_exit_with_code_2_and_a_hint(params string[] args)
    {
        var (code, _, stderr) = await ToolProcess.RunAsync(TimeSpan.FromSeconds(60), args);
        Assert.Equal(2, code);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.EndsWith($"See 'memlens {args[0]} --help'.", line, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://10.1.2.3:6060", "--allow-remote")]
    [InlineData("http://example.org:6060", "--allow-remote")]
    [InlineData("ftp://127.0.0.1:6060", "http")]
    public async Task A_go_pprof_url_that_is_not_loopback_or_not_http_is_refused_in_one_line(string url, string named)
    {
        var (code, stdout, stderr) = await ToolProcess.RunAsync(TimeSpan.FromSeconds(60), "watch", "1", "--json-lines", "--go-pprof", url);
        Assert.Equal(2, code);
        Assert.Empty(stdout);
        var first = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries)[0];
        Assert.StartsWith("memlens: --go-pprof: ", first, StringComparison.Ordinal);
        Assert.Contains(named, first, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Help_lists_every_verb_under_commands_and_the_exit_codes()
    {
        var (code, stdout, _) = await ToolProcess.RunAsync(TimeSpan.FromSeconds(60), "--help");
        Assert.Equal(0, code);
        // The names in the "Commands:" section, each the first word of its line; the verbs come from the real command tree.
        var lines = stdout.Split('\n');
        int start = Array.FindIndex(lines, l => l.TrimEnd() == "Commands:");
        Assert.True(start >= 0, "no Commands: section in: " + stdout);
        var listed = lines.Skip(start + 1).TakeWhile(l => l.Trim().Length > 0)
            .Where(l => l.StartsWith("  ", StringComparison.Ordinal) && !l.StartsWith("   ", StringComparison.Ordinal))
            .Select(l => l.Trim().Split(' ')[0]).ToList();
        Assert.Equal(MemLensCli.Build().Subcommands.Select(c => c.Name).Order(StringComparer.Ordinal), listed.Order(StringComparer.Ordinal));

        // The whole exit-code list, whatever the help's line wrapping.
        string flat = string.Join(' ', stdout.Split((char[])[' ', '\n'], StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains(ExitCodes.HelpText, flat, StringComparison.Ordinal);
    }
}
