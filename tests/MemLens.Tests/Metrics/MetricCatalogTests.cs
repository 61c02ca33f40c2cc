using System.Text.RegularExpressions;
using MemLens.Metrics;
using MemLens.Tests.Support;
using Xunit;

namespace MemLens.Tests.Metrics;

public sealed partial class MetricCatalogTests
{
    [Fact]
    public void Docs_metrics_md_is_the_catalog_rendered()
    {
        string path = System.IO.Path.Combine(RepositoryRoot.Path, "docs", "metrics.md");
        string expected = MetricCatalogMarkdown.Render();
        if (Environment.GetEnvironmentVariable("MEMLENS_UPDATE_DOCS") == "1")
        {
            File.WriteAllText(path, expected);
        }

        Assert.True(File.Exists(path), "docs/metrics.md is missing: run `dotnet run --project src/MemLens.Tool -- metrics --markdown > docs/metrics.md`");
        Assert.Equal(expected, File.ReadAllText(path));
    }

    [Fact]
    public void Names_are_unique_dotted_lower_case_and_ids_dense()
    {
        Assert.Equal(MetricCatalog.All.Count, MetricCatalog.All.Select(m => m.Name).Distinct().Count());
        for (int i = 0; i < MetricCatalog.All.Count; i++)
        {
            var m = MetricCatalog.All[i];
            Assert.Equal(i, m.Id);
            Assert.Matches(NamePattern(), m.Name);
            Assert.True(MetricCatalog.TryGet(m.Name, out var found) && ReferenceEquals(found, m));
        }
    }

    [Fact]
    public void Every_metric_explains_itself_and_says_where_it_comes_from()
    {
        Assert.All(MetricCatalog.All, m =>
        {
            Assert.True(m.Help.Length >= 80, $"{m.Name}: help text too short");
            Assert.False(string.IsNullOrWhiteSpace(m.Source), $"{m.Name}: no source");
            Assert.False(string.IsNullOrWhiteSpace(m.Label), $"{m.Name}: no label");
        });
    }

    [GeneratedRegex("^[a-z][a-z0-9_]*(\\.[a-z0-9_]+)+$")]
    private static partial Regex NamePattern();
}
