namespace MemLens.Procfs;

/// <summary>Which fields of <see cref="ProcStatm"/> were read.</summary>
[Flags]
public enum ProcStatmFields
{
    None = 0,
    Size = 1 << 0,
    Resident = 1 << 1,
    Shared = 1 << 2,
    Text = 1 << 3,
    Lib = 1 << 4,
    Data = 1 << 5,
    Dirty = 1 << 6,
}

/// <summary>
/// <c>/proc/&lt;pid&gt;/statm</c> converted from pages to bytes. A field that could not be read is absent
/// (check <see cref="Has"/>). Lib and Dirty are always 0 on Linux 2.6 and later.
/// </summary>
public struct ProcStatm
{
    /// <summary>Fields present in the file.</summary>
    public ProcStatmFields Present { readonly get; internal set; }

    /// <summary>Total program size (VmSize).</summary>
    public long Size { readonly get; internal set; }

    /// <summary>Resident set size (VmRSS).</summary>
    public long Resident { readonly get; internal set; }

    /// <summary>Resident file-backed and shared pages (RssFile + RssShmem).</summary>
    public long Shared { readonly get; internal set; }

    /// <summary>Text (code) of the executable.</summary>
    public long Text { readonly get; internal set; }

    /// <summary>Library size; unused since Linux 2.6, always 0.</summary>
    public long Lib { readonly get; internal set; }

    /// <summary>Data + stack (VmData + VmStk).</summary>
    public long Data { readonly get; internal set; }

    /// <summary>Dirty pages; unused since Linux 2.6, always 0.</summary>
    public long Dirty { readonly get; internal set; }

    /// <summary>True when every field in <paramref name="fields"/> was present.</summary>
    public readonly bool Has(ProcStatmFields fields) => (Present & fields) == fields;
}
