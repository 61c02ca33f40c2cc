using System.CommandLine;
using System.Text.Json;
using MemLens.Formatting;
using MemLens.Metrics;
using MemLens.Diagnostics.Attach;
using MemLens.Procfs;
using MemLens.Tool.Cli;
using Spectre.Console;

namespace MemLens.Tool.Commands;

/// <summary><c>memlens ps</c>: the processes this user can read, with their memory and runtime.</summary>
internal static class PsCommand
{
    private static readonly string[] s_sortKeys = ["rss", "pss", "vsz", "swap", "uptime", "pid", "name"];

    public static Command Create()
    {
        var sort = new Option<string>("--sort")
        {
            Description = "Order by rss, pss, vsz, swap, uptime (largest first), pid or name. Default: rss.",
            DefaultValueFactory = _ => "rss",
        };
        sort.AcceptOnlyFromAmong(s_sortKeys);
        var top = new Option<int?>("--top", "-t") { Description = "Show only the first N processes." };
        top.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int?>() is < 1)
            {
                r.AddError("--top must be at least 1.");
            }
        });
        var json = new Option<bool>("--json") { Description = "Print a JSON array instead of a table; figures in bytes and seconds, metric names as in the catalog." };
        var noPss = new Option<bool>("--no-pss") { Description = "Skip PSS (reading smaps_rollup costs milliseconds for large processes)." };
        var all = new Option<bool>("--all", "-a") { Description = "Include kernel threads and zombies (they hold no user memory)." };
        var command = new Command("ps", "List processes with their memory: RSS, PSS, VSZ, swap, runtime (.NET, Go, other) and uptime.")
        {
            sort, top, json, noPss, all,
        };

        command.SetAction(parse =>
        {
            if (!OperatingSystem.IsLinux())
            {
                Console.Error.WriteLine("memlens: ps reads /proc and works on Linux only.");
                return ExitCodes.UnsupportedOs;
            }

            var options = new ProcessTableOptions { ReadPss = !parse.GetValue(noPss), IncludeKernelThreads = parse.GetValue(all) };
            IEnumerable<ProcessInfo> rows = Sort(ProcessTable.List(options), parse.GetValue(sort)!);
            if (parse.GetValue(top) is { } n)
            {
                rows = rows.Take(n);
            }

            var list = rows.ToList();
            if (parse.GetValue(json))
            {
                WriteJson(Console.OpenStandardOutput(), list);
            }
            else
            {
                var console = AnsiConsole.Console;
                if (Console.IsOutputRedirected)
                {
                    console.Profile.Width = 160; // a pipe has no width; 80 columns would wrap every figure
                }

                WriteTable(console, list, options.ReadPss);
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    internal static IEnumerable<ProcessInfo> Sort(IEnumerable<ProcessInfo> rows, string key) => key switch
    {
        "pss" => rows.OrderByDescending(p => p.Pss ?? -1),
        "vsz" => rows.OrderByDescending(p => p.Virtual ?? -1),
        "swap" => rows.OrderByDescending(p => p.Swap ?? -1),
        "uptime" => rows.OrderByDescending(p => p.Uptime ?? TimeSpan.MinValue),
        "pid" => rows.OrderBy(p => p.ProcessId),
        "name" => rows.OrderBy(p => p.Name, StringComparer.Ordinal).ThenBy(p => p.ProcessId),
        _ => rows.OrderByDescending(p => p.Rss ?? -1),
    };

    private static void WriteTable(IAnsiConsole console, List<ProcessInfo> rows, bool withPss)
    {
        int commandWidth = Math.Max(12, console.Profile.Width - (withPss ? 114 : 100));
        // Figures never wrap; the command line takes what width is left and ends in an ellipsis.
        var table = new Table().Border(TableBorder.Simple)
            .AddColumn(new TableColumn("PID").RightAligned().NoWrap().Width(7)).AddColumn(new TableColumn("Name").NoWrap().Width(15)).AddColumn(new TableColumn("Runtime").NoWrap().Width(12))
            .AddColumn(new TableColumn("RSS").RightAligned().NoWrap().Width(10));
        if (withPss)
        {
            table.AddColumn(new TableColumn("PSS").RightAligned().NoWrap().Width(10));
        }

        table.AddColumn(new TableColumn("VSZ").RightAligned().NoWrap().Width(10)).AddColumn(new TableColumn("Swap").RightAligned().NoWrap().Width(10))
            .AddColumn(new TableColumn("Uptime").RightAligned().NoWrap().Width(8)).AddColumn(new TableColumn("Command").NoWrap().Width(commandWidth));
        foreach (var p in rows)
        {
            var cells = new List<string>
            {
                p.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture),
                Markup.Escape(TerminalText.Sanitize(p.Name)),
                RuntimeText(p),
                Bytes(p.Rss),
            };
            if (withPss)
            {
                cells.Add(Bytes(p.Pss));
            }

            cells.Add(Bytes(p.Virtual));
            cells.Add(Bytes(p.Swap));
            cells.Add(p.Uptime is { } u ? Durations.Format(u) : "[grey]—[/]");
            var renderables = cells.Select(c => (Spectre.Console.Rendering.IRenderable)new Markup(c)).ToList();
            renderables.Add(new Text(Shorten(TerminalText.Sanitize(p.CommandLine), commandWidth), new Style(Color.Grey)));
            table.AddRow(renderables);
        }

        console.Write(table);
        console.MarkupLine($"[grey]{rows.Count} processes. PSS is blank where this user may not read smaps_rollup; VSZ counts reserved, untouched memory too. " +
            "[/][blue].NET[/][grey] publishes a diagnostic port (watch shows its GC, gc and snapshot work); a grey .NET has none (DOTNET_EnableDiagnostics=0).[/]");
    }

    private static string Shorten(string s, int max) => s.Length <= max ? s : s[..(max - 1)] + "…";

    // A .NET process is attachable (runtime figures, GC, snapshots) when it publishes a diagnostic port.
    private static bool Attachable(ProcessInfo p) => p.Runtime == ProcessRuntime.DotNet && DiagnosticPort.FindSocket(p.ProcessId) is not null;

    private static string RuntimeText(ProcessInfo p) => p.Runtime switch
    {
        ProcessRuntime.DotNet => (Attachable(p) ? "[blue].NET[/]" : "[grey].NET[/]") + (p.RuntimeVersion is { } v ? " " + Markup.Escape(TerminalText.Sanitize(v)) : ""),
        ProcessRuntime.Go => "[aqua]Go[/]" + (p.RuntimeVersion is { } v ? " " + Markup.Escape(TerminalText.Sanitize(v)) : ""),
        _ => "[grey]other[/]",
    };

    private static string Bytes(long? value) => value is { } v ? ByteSize.Format(v) : "[grey]—[/]";

    internal static void WriteJson(Stream output, IReadOnlyList<ProcessInfo> rows)
    {
        using (var w = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartArray();
            foreach (var p in rows)
            {
                w.WriteStartObject();
                w.WriteNumber("pid", p.ProcessId);
                w.WriteString("name", p.Name);
                w.WriteString("command_line", p.CommandLine);
                w.WriteString("runtime", p.Runtime switch { ProcessRuntime.DotNet => "dotnet", ProcessRuntime.Go => "go", _ => "other" });
                if (p.RuntimeVersion is { } version)
                {
                    w.WriteString("runtime_version", version);
                }

                if (p.Runtime == ProcessRuntime.DotNet)
                {
                    w.WriteBoolean("attachable", Attachable(p));
                }

                if (p.Uptime is { } uptime)
                {
                    w.WriteNumber("uptime_seconds", Math.Round(uptime.TotalSeconds, 2));
                }

                w.WriteStartObject("metrics");
                WriteIf(w, MetricCatalog.ProcessRss, p.Rss);
                WriteIf(w, MetricCatalog.ProcessPss, p.Pss);
                WriteIf(w, MetricCatalog.ProcessVirtual, p.Virtual);
                WriteIf(w, MetricCatalog.ProcessSwap, p.Swap);
                w.WriteEndObject();
                w.WriteEndObject();
            }

            w.WriteEndArray();
        }

        output.WriteByte((byte)'\n');
        output.Flush();
    }

    private static void WriteIf(Utf8JsonWriter w, MetricDescriptor metric, long? value)
    {
        if (value is { } v)
        {
            w.WriteNumber(metric.Name, v);
        }
    }
}
