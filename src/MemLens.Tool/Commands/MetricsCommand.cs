using System.CommandLine;
using MemLens.Metrics;
using Spectre.Console;

namespace MemLens.Tool.Commands;

/// <summary><c>memlens metrics</c>: every metric with its unit, source and meaning.</summary>
internal static class MetricsCommand
{
    public static Command Create()
    {
        var markdown = new Option<bool>("--markdown") { Description = "Print the catalog as Markdown (the text of docs/metrics.md)." };
        var command = new Command("metrics", "List every metric MemLens reports: name, unit, where it comes from and what it means.") { markdown };
        command.SetAction(parse =>
        {
            if (parse.GetValue(markdown))
            {
                Console.Out.Write(MetricCatalogMarkdown.Render());
                return 0;
            }

            var table = new Table().Border(TableBorder.Rounded).AddColumns("Metric", "Unit", "Meaning");
            foreach (var m in MetricCatalog.All)
            {
                table.AddRow(
                    new Markup($"[bold]{Markup.Escape(m.Name)}[/]\n[grey]{Markup.Escape(m.Source)}[/]"),
                    new Text(MetricCatalogMarkdown.UnitName(m.Unit)),
                    new Text(m.Help));
            }

            AnsiConsole.Write(table);
            return 0;
        });
        return command;
    }
}
