namespace MemLens.Recording;

/// <summary>
/// Keys of the facts a recording holds beside its series (the <c>meta</c> table; docs/recording.md lists them with
/// examples). Facts are strings; a missing fact only makes some analysis less specific. Other keys are allowed:
/// a reader keeps every fact it finds.
/// </summary>
public static class RecordingFacts
{
    // ---- written by the recorder itself ----

    /// <summary>When recording started, ISO-8601 UTC (written by <see cref="Recorder.Start"/>).</summary>
    public const string RecordingStarted = "recording.started";

    /// <summary>When recording stopped cleanly, ISO-8601 UTC (written by <see cref="Recorder.Dispose"/>); absent after a crash.</summary>
    public const string RecordingStopped = "recording.stopped";

    /// <summary>Events dropped from the store's ring before the recorder read them (written when not zero).</summary>
    public const string EventsLost = "recording.events_lost";

    /// <summary>The MemLens version that wrote the file (written by <see cref="Recorder.Start"/>).</summary>
    public const string MemLensVersion = "memlens.version";

    // ---- given by the caller (the tool or the library) ----

    /// <summary>The command that recorded: <c>watch</c>, <c>run</c>, <c>trace</c>, <c>demo</c>, <c>in-process</c>.</summary>
    public const string MemLensCommand = "memlens.command";

    /// <summary>Process id of the target.</summary>
    public const string ProcessId = "target.pid";

    /// <summary>The target program's name (for <c>dotnet app.dll</c> the assembly's name).</summary>
    public const string ProcessName = "target.name";

    /// <summary>The target's command line, arguments joined by spaces.</summary>
    public const string ProcessCommandLine = "target.command_line";

    /// <summary>When the target started, ISO-8601 UTC.</summary>
    public const string ProcessStarted = "target.started_at";

    /// <summary>The target's exit code, once it exited.</summary>
    public const string ProcessExitCode = "target.exit_code";

    /// <summary>When the target exited, ISO-8601 UTC.</summary>
    public const string ProcessExited = "target.exited_at";

    /// <summary><c>dotnet</c>, <c>go</c> or <c>native</c>.</summary>
    public const string Runtime = "target.runtime";

    /// <summary>The runtime's version, e.g. <c>10.0.12</c> or <c>go1.22.5</c>, once known.</summary>
    public const string RuntimeVersion = "target.runtime_version";

    /// <summary>.NET server GC: <c>true</c> or <c>false</c>.</summary>
    public const string DotNetGcServer = "dotnet.gc.server";

    /// <summary>.NET concurrent (background) GC: <c>true</c> or <c>false</c>.</summary>
    public const string DotNetGcConcurrent = "dotnet.gc.concurrent";

    /// <summary>
    /// Prefix of the target's environment variables that shape memory: <c>env.GODEBUG</c>, <c>env.GOGC</c>,
    /// <c>env.GOMEMLIMIT</c>, <c>env.MALLOC_ARENA_MAX</c> (every <c>MALLOC_*</c>), <c>env.DOTNET_GCHeapHardLimit</c>
    /// (every <c>DOTNET_GC*</c>, <c>DOTNET_gc*</c> and <c>COMPlus_GC*</c>). Only these, never the whole environment.
    /// </summary>
    public const string EnvironmentPrefix = "env.";

    /// <summary>Host name of the machine.</summary>
    public const string HostName = "host.name";

    /// <summary>Physical memory of the machine in bytes (MemTotal).</summary>
    public const string HostMemoryBytes = "host.memory";

    /// <summary>Online CPUs of the machine.</summary>
    public const string HostCpus = "host.cpus";
}
