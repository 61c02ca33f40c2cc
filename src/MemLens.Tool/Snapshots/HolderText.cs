namespace MemLens.Tool.Snapshots;

/// <summary>
/// A retention path made short enough for a terminal column: type names without their namespace and generic
/// arguments, and a long chain cut to its root and its last two steps (the root says who holds it, the last step
/// what holds the objects directly). The JSON outputs keep the full path.
/// </summary>
internal static class HolderText
{
    /// <summary>Separator of <see cref="MemLens.Snapshots.HeapRetention.PathText"/>.</summary>
    public const string Arrow = " → ";

    /// <summary>The path <paramref name="path"/> (labels joined by <see cref="Arrow"/>, root first) shortened to about <paramref name="max"/> characters.</summary>
    public static string Short(string path, int max = 72)
    {
        ArgumentNullException.ThrowIfNull(path);
        var labels = path.Split(Arrow);
        for (int i = 1; i < labels.Length; i++)
        {
            labels[i] = ShortType(labels[i]);
        }

        string text = labels.Length > 4 ? string.Join(Arrow, labels[0], "…", labels[^2], labels[^1]) : string.Join(Arrow, labels);
        if (text.Length > max && labels.Length > 2)
        {
            text = string.Join(Arrow, labels[0], "…", labels[^1]);
        }

        return text.Length > max ? text[..(max - 1)] + "…" : text;
    }

    /// <summary><c>System.Collections.Generic.Dictionary`2[[System.String, …]]</c> → <c>Dictionary&lt;…&gt;</c>; <c>System.Byte[]</c> → <c>Byte[]</c>.</summary>
    public static string ShortType(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        int tick = name.IndexOf('`', StringComparison.Ordinal);
        int bracket = name.IndexOf('[', StringComparison.Ordinal);
        int end = tick >= 0 ? tick : bracket >= 0 ? bracket : name.Length;
        string head = name[..end];
        int dot = head.LastIndexOf('.');
        string shortName = dot >= 0 && dot < head.Length - 1 ? head[(dot + 1)..] : head;
        if (tick >= 0)
        {
            shortName += "<…>";
        }

        return name.EndsWith("[]", StringComparison.Ordinal) ? shortName + "[]" : shortName;
    }
}
