namespace MemLens.Procfs;

/// <summary>Which fields of <see cref="ProcStatus"/> the kernel provided.</summary>
[Flags]
public enum ProcStatusFields
{
    None = 0,
    VmRss = 1 << 0,
    VmSize = 1 << 1,
    VmHwm = 1 << 2,
    VmSwap = 1 << 3,
    VmPte = 1 << 4,
    VmData = 1 << 5,
    VmStk = 1 << 6,
    VmExe = 1 << 7,
    RssAnon = 1 << 8,
    RssFile = 1 << 9,
    RssShmem = 1 << 10,
    Threads = 1 << 11,
    State = 1 << 12,
}

/// <summary>
/// The memory fields of <c>/proc/&lt;pid&gt;/status</c>, in bytes (the kernel prints kB). A field the
/// kernel did not print is absent — check <see cref="Has"/> before reading it; an absent field reads 0
/// but that 0 means nothing. Kernel threads and zombies have no Vm*/Rss* lines at all.
/// </summary>
public struct ProcStatus
{
    /// <summary>Fields present in the file.</summary>
    public ProcStatusFields Present { readonly get; internal set; }

    /// <summary>VmRSS: resident set size.</summary>
    public long VmRss { readonly get; internal set; }

    /// <summary>VmSize: virtual size.</summary>
    public long VmSize { readonly get; internal set; }

    /// <summary>VmHWM: peak resident set size.</summary>
    public long VmHwm { readonly get; internal set; }

    /// <summary>VmSwap: swapped-out anonymous memory.</summary>
    public long VmSwap { readonly get; internal set; }

    /// <summary>VmPTE: page tables.</summary>
    public long VmPte { readonly get; internal set; }

    /// <summary>VmData: private writable mappings (heap, not stack).</summary>
    public long VmData { readonly get; internal set; }

    /// <summary>VmStk: main thread stack.</summary>
    public long VmStk { readonly get; internal set; }

    /// <summary>VmExe: executable text.</summary>
    public long VmExe { readonly get; internal set; }

    /// <summary>RssAnon: resident anonymous memory (Linux 4.5+).</summary>
    public long RssAnon { readonly get; internal set; }

    /// <summary>RssFile: resident file-backed memory (Linux 4.5+).</summary>
    public long RssFile { readonly get; internal set; }

    /// <summary>RssShmem: resident shared memory (Linux 4.5+).</summary>
    public long RssShmem { readonly get; internal set; }

    /// <summary>Threads: number of threads.</summary>
    public long Threads { readonly get; internal set; }

    /// <summary>State letter: R, S, D, T, t, Z (zombie), X (dead), I, P.</summary>
    public byte State { readonly get; internal set; }

    /// <summary>True when every field in <paramref name="fields"/> was present.</summary>
    public readonly bool Has(ProcStatusFields fields) => (Present & fields) == fields;

    /// <summary>True for a zombie or dead task: it has exited and only waits to be reaped.</summary>
    public readonly bool HasExited => Has(ProcStatusFields.State) && (State == (byte)'Z' || State == (byte)'X');
}
