namespace MemLens.Pprof;

/// <summary>
/// Builds a profile's <c>string_table</c>: each distinct string once, in first-use order, entry 0 the empty
/// string as profile.proto requires. Messages refer to strings by the index <see cref="Index"/> returns.
/// </summary>
internal sealed class PprofStringTable
{
    private readonly Dictionary<string, long> _index = new(StringComparer.Ordinal) { [""] = 0 };
    private readonly List<string> _all = [""];

    public IReadOnlyList<string> All => _all;

    /// <summary>The index of <paramref name="s"/>, added at the end if it is new.</summary>
    public long Index(string s)
    {
        if (!_index.TryGetValue(s, out long i))
        {
            i = _all.Count;
            _index[s] = i;
            _all.Add(s);
        }

        return i;
    }
}
