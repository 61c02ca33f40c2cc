using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace MemLens.AspNetCore.Dashboard;

/// <summary>
/// The one place every API route reads its query values: time ranges, counts and series ids. Each value is checked
/// against a fixed bound before anything is sized from it, so no request can make the server allocate more than
/// the caps below allow, and a bad value is a one-line 400 instead of an overflow deep in the answer.
/// </summary>
internal static class QueryLimits
{
    /// <summary>Latest timestamp accepted: 9999-12-31T23:59:59.999Z, the last instant <see cref="DateTimeOffset"/> holds.</summary>
    public const long MaxUnixMs = 253_402_300_799_999;

    /// <summary>Most series ids one <c>api/series</c> request may name (the catalog has fewer than half as many).</summary>
    public const int MaxIds = 64;

    /// <summary>Most characters of the <c>ids</c> value (64 ids of the longest names fit many times over).</summary>
    public const int MaxIdsLength = 4096;

    /// <summary>Most events one <c>api/events</c> answer holds; a larger <c>max</c> is capped to it.</summary>
    public const int MaxEvents = 20_000;

    /// <summary>
    /// Reads <c>from</c>/<c>to</c> (Unix ms, inclusive): both within 0 … <see cref="MaxUnixMs"/> and from ≤ to, so
    /// that <c>to − from + 1</c> and every grid computed from it fit in a long. Missing values take the defaults
    /// (<paramref name="defaultTo"/>, then <paramref name="defaultFrom"/>(to)), clamped into the same bounds.
    /// </summary>
    public static bool TryReadRange(HttpContext ctx, long defaultTo, Func<long, long> defaultFrom, out long from, out long to, out string error)
    {
        from = to = 0;
        if (!TryReadTimestamp(ctx, "to", Math.Clamp(defaultTo, 0, MaxUnixMs), out to, out error))
        {
            return false;
        }

        if (!TryReadTimestamp(ctx, "from", Math.Clamp(defaultFrom(to), 0, to), out from, out error))
        {
            return false;
        }

        if (from > to)
        {
            error = "'from' must not be after 'to'.";
            return false;
        }

        return true;
    }

    /// <summary>
    /// Reads a count: a whole number, at least <paramref name="min"/>; anything above <paramref name="max"/> is
    /// capped to it (a client may ask for "as many as you give").
    /// </summary>
    public static bool TryReadCount(HttpContext ctx, string name, int fallback, int min, int max, out int value, out string error)
    {
        value = fallback;
        error = string.Empty;
        string? raw = ctx.Request.Query[name];
        if (string.IsNullOrEmpty(raw))
        {
            return true;
        }

        if (!TryParseWhole(raw, out long parsed) || parsed < min)
        {
            error = $"'{name}' must be a whole number of at least {min.ToString(CultureInfo.InvariantCulture)}.";
            return false;
        }

        value = (int)Math.Min(parsed, max);
        return true;
    }

    /// <summary>
    /// Reads <c>points</c> for a grid: a whole number (any, as the page computes it from its width), clamped to
    /// <see cref="SeriesGrid.MinPoints"/> … <see cref="SeriesGrid.MaxPoints"/>.
    /// </summary>
    public static bool TryReadPoints(HttpContext ctx, out int points, out string error)
    {
        points = SeriesGrid.DefaultPoints;
        error = string.Empty;
        string? raw = ctx.Request.Query["points"];
        if (string.IsNullOrEmpty(raw))
        {
            return true;
        }

        if (!TryParseWhole(raw, out long parsed))
        {
            error = "'points' must be a whole number.";
            return false;
        }

        points = (int)Math.Clamp(parsed, SeriesGrid.MinPoints, SeriesGrid.MaxPoints);
        return true;
    }

    /// <summary>
    /// Reads <c>ids</c>: comma-separated series ids, at most <see cref="MaxIds"/> (after removing repeats) in at most
    /// <see cref="MaxIdsLength"/> characters, each known. Null when the request names none.
    /// </summary>
    public static bool TryReadIds(HttpContext ctx, out IReadOnlyList<string>? ids, out string error)
    {
        ids = null;
        error = string.Empty;
        string? raw = ctx.Request.Query["ids"];
        if (string.IsNullOrEmpty(raw))
        {
            return true;
        }

        if (raw.Length > MaxIdsLength)
        {
            error = $"'ids' is too long: at most {MaxIds} series ids in {MaxIdsLength} characters per request.";
            return false;
        }

        var requested = raw.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct(StringComparer.Ordinal).ToArray();
        if (requested.Length > MaxIds)
        {
            error = $"'ids' names {requested.Length} series; at most {MaxIds} per request.";
            return false;
        }

        var unknown = requested.Where(id => !DerivedSeries.TryResolve(id, out _)).ToArray();
        if (unknown.Length > 0)
        {
            error = "Unknown series: " + string.Join(", ", unknown.Take(5).Select(Printable));
            return false;
        }

        ids = requested;
        return true;
    }

    private static bool TryReadTimestamp(HttpContext ctx, string name, long fallback, out long value, out string error)
    {
        value = fallback;
        error = string.Empty;
        string? raw = ctx.Request.Query[name];
        if (string.IsNullOrEmpty(raw))
        {
            return true;
        }

        if (!TryParseWhole(raw, out value) || value < 0 || value > MaxUnixMs)
        {
            error = $"'{name}' must be Unix milliseconds between 0 and {MaxUnixMs.ToString(CultureInfo.InvariantCulture)} (year 9999).";
            return false;
        }

        return true;
    }

    /// <summary>
    /// A whole number written as an optional sign and digits only. <see cref="long.TryParse(string, NumberStyles, IFormatProvider, out long)"/>
    /// alone also takes trailing NUL characters (<c>5%00</c> reads as 5), which a query value should not carry.
    /// </summary>
    private static bool TryParseWhole(string raw, out long value)
    {
        value = 0;
        int start = raw.Length > 0 && raw[0] is '-' or '+' ? 1 : 0;
        return raw.Length > start
            && raw.AsSpan(start).IndexOfAnyExceptInRange('0', '9') < 0
            && long.TryParse(raw, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);
    }

    /// <summary>An id as the error repeats it: at most 64 characters, controls replaced.</summary>
    private static string Printable(string id)
    {
        string cut = id.Length > 64 ? id[..64] + "…" : id;
        return string.Create(cut.Length, cut, static (span, s) =>
        {
            for (int i = 0; i < s.Length; i++)
            {
                span[i] = char.IsControl(s[i]) ? '?' : s[i];
            }
        });
    }
}
