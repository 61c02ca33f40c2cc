using System.Threading.Channels;
using MemLens.Events;
using MemLens.Metrics;
using MemLens.Sampling;
using MemLens.Formatting;
using MemLens.Tool.Cli;
using MemLens.Tool.Watching;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace MemLens.Tool.Rendering;

/// <summary>The live terminal view: current values, change since start, a trend per metric, recent events, source states.</summary>
internal sealed class LiveRenderer(IAnsiConsole console, Func<IReadOnlyList<string>>? childOutput = null) : IWatchRenderer
{
    private const int TrendPoints = 40;
    private static readonly TimeSpan s_trendWindow = TimeSpan.FromMinutes(2);
    private readonly List<MemEvent> _recent = [];

    // The metrics shown, in order; a metric without values (e.g. no cgroup limit) is left out.
    private static readonly MetricDescriptor[] s_rows =
    [
        MetricCatalog.ProcessRss, MetricCatalog.ProcessPss, MetricCatalog.ProcessUss, MetricCatalog.ProcessAnon,
        MetricCatalog.ProcessFile, MetricCatalog.ProcessShmem, MetricCatalog.ProcessSwap, MetricCatalog.ProcessLazyFree,
        MetricCatalog.ProcessVirtual, MetricCatalog.ProcessRssPeak, MetricCatalog.ProcessThreads,
        MetricCatalog.ContainerUsage, MetricCatalog.ContainerLimit,
        MetricCatalog.GcHeapSize, MetricCatalog.GcCommitted, MetricCatalog.GcFragmented, MetricCatalog.GcGen2Size,
        MetricCatalog.GcLohSize, MetricCatalog.GcAllocated, MetricCatalog.GcCollections, MetricCatalog.GcPauseTime,
    ];

    public async Task RunAsync(WatchTarget target, ChannelReader<WatchFrame> frames, CancellationToken cancellationToken)
    {
        var waiting = new Markup($"[grey]Watching PID {target.ProcessId} ({Safe(target.Name)}); first sample coming…[/]");
        await console.Live(waiting).AutoClear(false).Overflow(VerticalOverflow.Ellipsis).StartAsync(async ctx =>
        {
            await foreach (var frame in frames.ReadAllAsync(CancellationToken.None).ConfigureAwait(false))
            {
                ctx.UpdateTarget(Build(target, frame));
                ctx.Refresh();
            }
        }).ConfigureAwait(false);
    }

    internal IRenderable Build(WatchTarget target, WatchFrame frame)
    {
        _recent.AddRange(frame.Events);
        if (_recent.Count > 8)
        {
            _recent.RemoveRange(0, _recent.Count - 8);
        }

        var elapsed = TimeSpan.FromMilliseconds(frame.TimestampMs - target.StartedAtMs);
        var table = new Table().Border(TableBorder.Rounded).Expand()
            .Title($"[bold]PID {target.ProcessId}[/] {Safe(target.Name)} · watching for {Durations.Format(elapsed)} · {MonotonicClock.ToDateTime(frame.TimestampMs).ToLocalTime():HH:mm:ss}")
            .AddColumn("Metric").AddColumn(new TableColumn("Now").RightAligned()).AddColumn(new TableColumn("Since start").RightAligned())
            .AddColumn(new TableColumn($"Trend ({s_trendWindow.TotalMinutes:0} min)")).AddColumn(new TableColumn("Min").RightAligned()).AddColumn(new TableColumn("Max").RightAligned());

        string? lastGroup = null;
        foreach (var metric in s_rows)
        {
            if (!frame.Store.TryGetLatest(metric, out _, out double now))
            {
                continue;
            }

            if (lastGroup is not null && metric.Group != lastGroup)
            {
                table.AddEmptyRow();
            }

            lastGroup = metric.Group;
            frame.Store.TryGetFirst(metric, out _, out double first);
            var trend = frame.Store.Query(metric, frame.TimestampMs - (long)s_trendWindow.TotalMilliseconds, frame.TimestampMs, TrendPoints);
            double min = double.MaxValue, max = double.MinValue;
            for (int i = 0; i < trend.Count; i++)
            {
                min = Math.Min(min, trend.Min[i]);
                max = Math.Max(max, trend.Max[i]);
            }

            double delta = now - first;
            string deltaText = MetricFormatter.FormatDelta(metric, delta);
            table.AddRow(
                new Markup($"{Markup.Escape(metric.Label)} [grey]{Markup.Escape(metric.Name)}[/]"),
                new Markup($"[bold]{Markup.Escape(MetricFormatter.Format(metric, now))}[/]"),
                new Markup(delta > 0 ? $"[yellow]{Markup.Escape(deltaText)}[/]" : delta < 0 ? $"[green]{Markup.Escape(deltaText)}[/]" : "[grey]0[/]"),
                new Text(Sparkline.Render(trend.Mean.AsSpan(0, trend.Count)), new Style(Color.Aqua)),
                new Text(trend.Count > 0 ? MetricFormatter.Format(metric, min) : ""),
                new Text(trend.Count > 0 ? MetricFormatter.Format(metric, max) : ""));
        }

        var rows = new List<IRenderable> { table };
        if (_recent.Count > 0)
        {
            var events = new Rows(_recent.Select(e => new Markup(
                $"[grey]{MonotonicClock.ToDateTime(e.TimestampMs).ToLocalTime():HH:mm:ss}[/] {Safe(e.Describe())}")));
            rows.Add(new Panel(events).Header("Recent events").Border(BoxBorder.Rounded).Expand());
        }

        if (childOutput?.Invoke() is { Count: > 0 } lines)
        {
            rows.Add(new Panel(new Rows(lines.Select(l => new Text(l, new Style(Color.Grey))))).Header("Process output").Border(BoxBorder.Rounded).Expand());
        }

        rows.Add(new Markup(string.Join("  ", frame.Statuses.Select(FormatStatus)) + "   [grey]Ctrl+C to stop[/]"));
        return new Rows(rows);
    }

    private static string FormatStatus(SourceStatus s) => s.State switch
    {
        SourceState.Ok => $"[green]●[/] {Safe(s.Name)} [grey]every {Durations.Format(s.Interval)}[/]",
        SourceState.Starting => $"[grey]○ {Safe(s.Name)}[/]",
        SourceState.Failing => $"[red]● {Safe(s.Name)}: {Safe(s.LastError ?? "failing")}[/]",
        _ => $"[grey]■ {Safe(s.Name)}: {Safe(s.LastError ?? "stopped")}[/]",
    };

    // Names, events and errors can quote the watched process: control characters escaped, then Spectre's markup.
    private static string Safe(string text) => Markup.Escape(TerminalText.Sanitize(text));
}
