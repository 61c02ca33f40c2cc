namespace MemLens.Go;

/// <summary>
/// Adds the trace settings MemLens needs (<c>gctrace=1,scavtrace=1</c>) to a <c>GODEBUG</c> value while keeping every
/// setting the user already had there.
/// </summary>
/// <remarks>
/// The Go runtime reads GODEBUG as comma-separated <c>key=value</c> pairs and, for a key given twice, the last one
/// wins. So the user's settings are kept in their order, untouched, and ours are appended only where needed: a
/// user's <c>gctrace=2</c> already prints the lines (and more), so it is left as it is; a user's <c>gctrace=0</c> is
/// overridden by the appended <c>gctrace=1</c>, because without it there is nothing to read — the returned
/// <c>overridden</c> list says so, for a note to the user.
/// </remarks>
public static class GoDebug
{
    /// <summary>The environment variable.</summary>
    public const string Variable = "GODEBUG";

    private static readonly string[] s_traceKeys = ["gctrace", "scavtrace"];

    /// <summary>Returns the GODEBUG value to give the child; <paramref name="overridden"/> lists the user's settings that had to change (e.g. <c>gctrace=0</c>).</summary>
    public static string Merge(string? existing, out IReadOnlyList<string> overridden)
    {
        var changed = new List<string>();
        var parts = new List<string>();
        var effective = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string raw in (existing ?? "").Split(','))
        {
            string part = raw.Trim();
            if (part.Length == 0)
            {
                continue;
            }

            parts.Add(part);
            int eq = part.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0)
            {
                effective[part[..eq]] = part[(eq + 1)..];
            }
        }

        foreach (string key in s_traceKeys)
        {
            if (effective.TryGetValue(key, out string? value) && int.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int level) && level >= 1)
            {
                continue; // already on, possibly at a higher level: the user's choice stands
            }

            if (value is not null)
            {
                changed.Add(key + "=" + value);
            }

            parts.Add(key + "=1");
        }

        overridden = changed;
        return string.Join(',', parts);
    }

    /// <summary>Same as <see cref="Merge(string?, out IReadOnlyList{string})"/>, without the list of overridden settings.</summary>
    public static string Merge(string? existing) => Merge(existing, out _);
}
