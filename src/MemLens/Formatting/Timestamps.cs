using System.Globalization;

namespace MemLens.Formatting;

/// <summary>One text form for timestamps everywhere (JSON lines, events, exports): ISO-8601 UTC with milliseconds.</summary>
public static class Timestamps
{
    /// <summary>E.g. <c>2026-11-22T10:00:01.250Z</c>.</summary>
    public static string ToIso8601(long unixMs) =>
        DateTimeOffset.FromUnixTimeMilliseconds(unixMs).UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);
}
