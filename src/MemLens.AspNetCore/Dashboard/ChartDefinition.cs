namespace MemLens.AspNetCore.Dashboard;

/// <summary>
/// One chart of the dashboard, defined on the server; the page draws whatever it is given. <c>Requires</c> names series
/// of this chart of which at least one must have data for the chart to show (null: any series will do); a chart that
/// puts RSS beside a runtime's series names the runtime's series there, so it does not show for every process.
/// </summary>
internal sealed record ChartDefinition(string Id, string Title, string Unit, string Help, IReadOnlyList<ChartSeries> Series, string Kind = "series", IReadOnlyList<string>? Requires = null);

/// <summary>
/// One line of a chart: a metric name or a derived id (<see cref="DerivedSeries"/>). <c>Axis</c> is
/// <see cref="ChartAxes.Left"/> (the default) or <see cref="ChartAxes.Right"/>: a right-hand axis with its own scale, in
/// the unit of the series drawn on it, for a series that would flatten the others (VSZ beside RSS).
/// </summary>
internal sealed record ChartSeries(string Id, string Label, string Unit, string Color, string Help, bool Fill = false, string Axis = ChartAxes.Left);

/// <summary>The y axes a series can be drawn on.</summary>
internal static class ChartAxes
{
    public const string Left = "y";
    public const string Right = "y2";
}
