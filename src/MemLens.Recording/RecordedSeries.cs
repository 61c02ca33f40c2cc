namespace MemLens.Recording;

/// <summary>One series of a recording.</summary>
/// <param name="Metric">Dotted metric name, e.g. <c>process.memory.rss</c>.</param>
/// <param name="Unit"><c>bytes</c>, <c>count</c>, <c>seconds</c> or <c>ratio</c>.</param>
/// <param name="Points">Rows held: raw samples and buckets (a bucket counts once).</param>
/// <param name="FirstMs">Timestamp of the oldest row (a bucket's aligned start), Unix ms.</param>
/// <param name="LastMs">Timestamp of the newest row, Unix ms.</param>
public sealed record RecordedSeries(string Metric, string Unit, long Points, long FirstMs, long LastMs);

/// <summary>One point of a recorded series: a raw sample (<see cref="SpanMs"/> 0) or a bucket of several.</summary>
/// <param name="TimestampMs">Unix ms: the sample's time, or the bucket's aligned start.</param>
/// <param name="SpanMs">0 for a raw sample, 60,000 for a 1-minute bucket, 3,600,000 for a 1-hour bucket.</param>
/// <param name="Mean">The value (raw), or the count-weighted mean of the bucket.</param>
/// <param name="Min">Smallest value in the bucket (the value itself for a raw sample).</param>
/// <param name="Max">Largest value in the bucket (the value itself for a raw sample).</param>
/// <param name="Count">Values the bucket replaced (1 for a raw sample; 0 when not known: values the store had already
/// rolled up before they were recorded).</param>
public readonly record struct RecordedPoint(long TimestampMs, long SpanMs, double Mean, double Min, double Max, long Count);

/// <summary>What <see cref="RecordingReader.LoadInto"/> appended and what it skipped.</summary>
/// <param name="Values">Values appended to the store (a bucket becomes up to three, see docs/recording.md).</param>
/// <param name="Events">Events added to the store.</param>
/// <param name="UnknownMetrics">Series whose names this MemLens does not know (a newer recorder's), skipped.</param>
/// <param name="SkippedPoints">Points of those series, and damaged rows, not loaded.</param>
public sealed record LoadResult(long Values, long Events, IReadOnlyList<string> UnknownMetrics, long SkippedPoints);
