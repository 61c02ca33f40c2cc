namespace MemLens.Metrics;

/// <summary>
/// Describes one metric: its stable dotted name, unit, kind, the group it is charted in, a short
/// label for tables and legends, and a help text saying what it counts and where it comes from.
/// </summary>
public sealed class MetricDescriptor
{
    internal MetricDescriptor(int id, string name, string label, MetricUnit unit, MetricKind kind, string group, string source, string help)
    {
        Id = id;
        Name = name;
        Label = label;
        Unit = unit;
        Kind = kind;
        Group = group;
        Source = source;
        Help = help;
    }

    /// <summary>Dense index of the metric in <see cref="MetricCatalog.All"/>; used as an array index on hot paths.</summary>
    public int Id { get; }

    /// <summary>Dotted lower-case name, e.g. <c>process.memory.rss</c>.</summary>
    public string Name { get; }

    /// <summary>Short label for tables and chart legends, e.g. <c>RSS</c>.</summary>
    public string Label { get; }

    public MetricUnit Unit { get; }

    public MetricKind Kind { get; }

    /// <summary>Which family the metric belongs to: <c>process</c>, <c>container</c> or <c>dotnet.gc</c>.</summary>
    public string Group { get; }

    /// <summary>Where the value is read from, e.g. <c>/proc/&lt;pid&gt;/smaps_rollup: Pss</c>.</summary>
    public string Source { get; }

    /// <summary>One paragraph: what it counts and how it relates to its neighbours.</summary>
    public string Help { get; }

    public override string ToString() => Name;
}
