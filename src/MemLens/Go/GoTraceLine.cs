namespace MemLens.Go;

/// <summary>What a line of a Go program's standard error turned out to be.</summary>
public enum GoTraceLineKind
{
    /// <summary>Not a runtime trace line: the program's own output, to be passed through untouched.</summary>
    Other,

    /// <summary>A <c>GODEBUG=gctrace=1</c> line; see <see cref="GoTraceLine.Gc"/>.</summary>
    Gc,

    /// <summary>A scavenger line (<c>scav …</c> from <c>scavtrace=1</c>, or <c>scvg…</c> from Go ≤ 1.13); see <see cref="GoTraceLine.Scavenge"/>.</summary>
    Scavenge,

    /// <summary>
    /// A line that starts like a trace line (<c>gc 12 …</c>, <c>scav 3…</c>, <c>scvg…</c>) but does not parse:
    /// truncated, interleaved with other output, or a format not known yet. Counted, never thrown;
    /// <see cref="GoTraceLine.Reason"/> says what was wrong.
    /// </summary>
    Malformed,
}

/// <summary>
/// The classification of one line, with its event when it is a trace line. Classifying and parsing never
/// throw: anything not recognisable as a trace line is <see cref="GoTraceLineKind.Other"/>.
/// </summary>
public readonly struct GoTraceLine
{
    private GoTraceLine(GoTraceLineKind kind, GoGcTraceEvent? gc, GoScavengeTraceEvent? scavenge, string? reason)
    {
        Kind = kind;
        Gc = gc;
        Scavenge = scavenge;
        Reason = reason;
    }

    public GoTraceLineKind Kind { get; }

    /// <summary>The GC, when <see cref="Kind"/> is <see cref="GoTraceLineKind.Gc"/>.</summary>
    public GoGcTraceEvent? Gc { get; }

    /// <summary>The scavenger report, when <see cref="Kind"/> is <see cref="GoTraceLineKind.Scavenge"/>.</summary>
    public GoScavengeTraceEvent? Scavenge { get; }

    /// <summary>Why the line is <see cref="GoTraceLineKind.Malformed"/> (starts with <c>gc trace:</c> or <c>scavenger trace:</c>); null otherwise.</summary>
    public string? Reason { get; }

    internal static GoTraceLine Other { get; } = new(GoTraceLineKind.Other, null, null, null);

    internal static GoTraceLine ForGc(GoGcTraceEvent gc) => new(GoTraceLineKind.Gc, gc, null, null);

    internal static GoTraceLine ForScavenge(GoScavengeTraceEvent scavenge) => new(GoTraceLineKind.Scavenge, null, scavenge, null);

    internal static GoTraceLine Malformed(string reason) => new(GoTraceLineKind.Malformed, null, null, reason);

    /// <summary>
    /// Classifies one line (without its line break; a trailing <c>\r</c> and spaces are ignored) and parses it
    /// when it is a trace line. <paramref name="timestampMs"/> is when the line was read (Unix ms): Go's trace
    /// gives only time since program start, which the event keeps as well.
    /// </summary>
    /// <remarks>
    /// A trace line is recognised by its start: <c>gc </c> and a digit, <c>scav </c> and a digit, or
    /// <c>scvg</c> and a digit or a colon. Such a line that does not parse is malformed, not other, so that a
    /// reader can count trace lines it lost. Go before 1.5 printed <c>gc1(1): …</c>, which is left as other.
    /// </remarks>
    public static GoTraceLine Parse(ReadOnlySpan<char> line, long timestampMs = 0)
    {
        line = line.Trim(" \t\r\n");
        if (IsGcStart(line))
        {
            return GcTraceParser.Parse(line, timestampMs);
        }

        if (IsScavengeStart(line))
        {
            return ScavengeTraceParser.Parse(line, timestampMs);
        }

        return Other;
    }

    internal static bool IsGcStart(ReadOnlySpan<char> line) =>
        line.Length > 3 && line.StartsWith("gc ", StringComparison.Ordinal) && char.IsAsciiDigit(line[3]);

    internal static bool IsScavengeStart(ReadOnlySpan<char> line) =>
        (line.Length > 5 && line.StartsWith("scav ", StringComparison.Ordinal) && char.IsAsciiDigit(line[5]))
        || (line.Length > 4 && line.StartsWith("scvg", StringComparison.Ordinal) && (char.IsAsciiDigit(line[4]) || line[4] == ':'));
}
