namespace MemLens.AspNetCore.Dashboard;

/// <summary>One chart of the dashboard, defined on the server; the page draws whatever it is given.</summary>
internal sealed record ChartDefinition(string Id, string Title, string Unit, string Help, IReadOnlyList<ChartSeries> Series, string Kind = "series");

/// <summary>One line of a chart: a metric name or a derived id (<see cref="DerivedSeries"/>).</summary>
internal sealed record ChartSeries(string Id, string Label, string Unit, string Color, string Help, bool Fill = false);
