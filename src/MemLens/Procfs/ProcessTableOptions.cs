namespace MemLens.Procfs;

/// <summary>What <see cref="ProcessTable"/> reads for each process.</summary>
public sealed class ProcessTableOptions
{
    /// <summary>
    /// Read PSS from smaps_rollup. Its cost grows with the process's memory (milliseconds for a large
    /// process), so a listing of many big processes is faster without it. Default: true.
    /// </summary>
    public bool ReadPss { get; set; } = true;

    /// <summary>Detect .NET and Go (reads maps, and for non-.NET processes the executable's ELF headers). Default: true.</summary>
    public bool DetectRuntime { get; set; } = true;

    /// <summary>
    /// List processes without an address space too: kernel threads, and zombies waiting to be reaped.
    /// They hold no user memory. Default: false.
    /// </summary>
    public bool IncludeKernelThreads { get; set; }
}
