namespace MemLens.Procfs;

/// <summary>Which fields of <see cref="SmapsRollup"/> the kernel provided.</summary>
[Flags]
public enum SmapsRollupFields
{
    None = 0,
    Rss = 1 << 0,
    Pss = 1 << 1,
    PssAnon = 1 << 2,
    PssFile = 1 << 3,
    PssShmem = 1 << 4,
    SharedClean = 1 << 5,
    SharedDirty = 1 << 6,
    PrivateClean = 1 << 7,
    PrivateDirty = 1 << 8,
    LazyFree = 1 << 9,
    AnonHugePages = 1 << 10,
    Swap = 1 << 11,
    SwapPss = 1 << 12,
}

/// <summary>
/// The sums of <c>/proc/&lt;pid&gt;/smaps_rollup</c> (Linux 4.14+), in bytes. Pss_Anon, Pss_File and
/// Pss_Shmem exist only since Linux 5.7: on older kernels they are absent, not zero (check <see cref="Has"/>).
/// </summary>
public struct SmapsRollup
{
    /// <summary>Fields present in the file.</summary>
    public SmapsRollupFields Present { readonly get; internal set; }

    public long Rss { readonly get; internal set; }

    public long Pss { readonly get; internal set; }

    public long PssAnon { readonly get; internal set; }

    public long PssFile { readonly get; internal set; }

    public long PssShmem { readonly get; internal set; }

    public long SharedClean { readonly get; internal set; }

    public long SharedDirty { readonly get; internal set; }

    public long PrivateClean { readonly get; internal set; }

    public long PrivateDirty { readonly get; internal set; }

    public long LazyFree { readonly get; internal set; }

    public long AnonHugePages { readonly get; internal set; }

    public long Swap { readonly get; internal set; }

    public long SwapPss { readonly get; internal set; }

    /// <summary>True when every field in <paramref name="fields"/> was present.</summary>
    public readonly bool Has(SmapsRollupFields fields) => (Present & fields) == fields;

    /// <summary>True when both private fields were present, so <see cref="Uss"/> means something.</summary>
    public readonly bool HasUss => Has(SmapsRollupFields.PrivateClean | SmapsRollupFields.PrivateDirty);

    /// <summary>Unique set size: Private_Clean + Private_Dirty. Meaningful only when <see cref="HasUss"/>.</summary>
    public readonly long Uss => PrivateClean + PrivateDirty;
}
