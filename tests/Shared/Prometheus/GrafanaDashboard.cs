using System.Text.Json;
using System.Text.RegularExpressions;

namespace MemLens.Tests.Shared;

/// <summary>
/// deploy/grafana/memlens.json read the way Grafana reads it: its panels' PromQL queries and its variables' queries,
/// and the metric names those queries select.
/// </summary>
internal static partial class GrafanaDashboard
{
    private static readonly HashSet<string> s_keywords = new(StringComparer.Ordinal)
    {
        "by", "without", "on", "ignoring", "group_left", "group_right", "offset", "bool", "and", "or", "unless", "inf", "nan",
    };

    /// <summary>One query of a panel: the panel's title, its refId and the PromQL.</summary>
    public sealed record Query(string Panel, string RefId, string Expr);

    /// <summary>The file's path in the repository.</summary>
    public static string PathIn(string repositoryRoot) => System.IO.Path.Combine(repositoryRoot, "deploy", "grafana", "memlens.json");

    /// <summary>Every panel query (rows' nested panels included) and every variable's query.</summary>
    public static IReadOnlyList<Query> Queries(JsonElement dashboard)
    {
        var queries = new List<Query>();
        foreach (var panel in Panels(dashboard.GetProperty("panels")))
        {
            if (!panel.TryGetProperty("targets", out var targets))
            {
                continue;
            }

            string title = panel.GetProperty("title").GetString()!;
            foreach (var target in targets.EnumerateArray())
            {
                queries.Add(new Query(title, target.GetProperty("refId").GetString()!, target.GetProperty("expr").GetString()!));
            }
        }

        foreach (var variable in dashboard.GetProperty("templating").GetProperty("list").EnumerateArray())
        {
            if (variable.GetProperty("type").GetString() == "query")
            {
                string name = variable.GetProperty("name").GetString()!;
                queries.Add(new Query("$" + name, name, variable.GetProperty("definition").GetString()!));
            }
        }

        return queries;
    }

    /// <summary>Panels, with the panels of collapsed rows.</summary>
    public static IEnumerable<JsonElement> Panels(JsonElement panels)
    {
        foreach (var panel in panels.EnumerateArray())
        {
            yield return panel;
            if (panel.TryGetProperty("panels", out var nested))
            {
                foreach (var inner in Panels(nested))
                {
                    yield return inner;
                }
            }
        }
    }

    /// <summary>
    /// The metric names a PromQL expression selects: its identifiers once label matchers, ranges, strings, grouping
    /// lists, function calls and keywords are taken out. <c>label_values(metric, label)</c> gives its metric.
    /// </summary>
    public static IReadOnlySet<string> MetricNames(string expr)
    {
        string text = LabelValues().Replace(expr, "$1");
        text = StringLiteral().Replace(text, " ");
        text = Matchers().Replace(text, " ");
        text = Ranges().Replace(text, " ");
        text = Grouping().Replace(text, " ");
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (Match m in Identifier().Matches(text))
        {
            bool call = Regex.IsMatch(text[(m.Index + m.Length)..], @"^\s*\(");
            if (!call && !s_keywords.Contains(m.Value.ToLowerInvariant()))
            {
                names.Add(m.Value);
            }
        }

        return names;
    }

    /// <summary>The query with Grafana's variables replaced by what "All" and a default range interval give.</summary>
    public static string Resolve(string expr) =>
        expr.Replace("$__rate_interval", "1m", StringComparison.Ordinal)
            .Replace("$__interval", "15s", StringComparison.Ordinal)
            .Replace("$job", ".*", StringComparison.Ordinal)
            .Replace("$instance", ".*", StringComparison.Ordinal);

    [GeneratedRegex(@"label_values\(\s*([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{[^}]*\})?\s*,\s*[a-zA-Z_][a-zA-Z0-9_]*\s*\)")]
    private static partial Regex LabelValues();

    [GeneratedRegex("\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*'")]
    private static partial Regex StringLiteral();

    [GeneratedRegex(@"\{[^}]*\}")]
    private static partial Regex Matchers();

    [GeneratedRegex(@"\[[^\]]*\]")]
    private static partial Regex Ranges();

    [GeneratedRegex(@"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", RegexOptions.IgnoreCase)]
    private static partial Regex Grouping();

    [GeneratedRegex(@"(?<![\w.$])[a-zA-Z_:][a-zA-Z0-9_:]*")]
    private static partial Regex Identifier();
}
