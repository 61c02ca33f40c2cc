namespace MemLens.Procfs;

/// <summary>The runtime a process was detected to run on.</summary>
public enum ProcessRuntime
{
    /// <summary>Native, another runtime, or not detectable (e.g. unreadable files).</summary>
    Other,

    /// <summary>.NET (CoreCLR): a diagnostic IPC socket, or libcoreclr.so mapped.</summary>
    DotNet,

    /// <summary>Go: the executable carries Go build info.</summary>
    Go,
}
