namespace MemLens.Procfs;

/// <summary>Which fields of <see cref="CgroupMemoryStat"/> were present.</summary>
[Flags]
public enum CgroupMemoryStatFields
{
    None = 0,

    /// <summary>v2 "anon".</summary>
    Anon = 1 << 0,

    /// <summary>v2 "file".</summary>
    File = 1 << 1,

    /// <summary>v1 "total_rss" (hierarchical).</summary>
    TotalRss = 1 << 2,

    /// <summary>v1 "total_cache" (hierarchical).</summary>
    TotalCache = 1 << 3,

    /// <summary>v1 "hierarchical_memory_limit": the tightest limit of the cgroup and its ancestors.</summary>
    HierarchicalMemoryLimit = 1 << 4,
}

/// <summary>The fields MemLens uses from a cgroup's <c>memory.stat</c> (v1 or v2), in bytes.</summary>
public struct CgroupMemoryStat
{
    public CgroupMemoryStatFields Present { readonly get; internal set; }

    public long Anon { readonly get; internal set; }

    public long File { readonly get; internal set; }

    public long TotalRss { readonly get; internal set; }

    public long TotalCache { readonly get; internal set; }

    public long HierarchicalMemoryLimit { readonly get; internal set; }

    /// <summary>True when every field in <paramref name="fields"/> was present.</summary>
    public readonly bool Has(CgroupMemoryStatFields fields) => (Present & fields) == fields;
}
