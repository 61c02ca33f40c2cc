using MemLens.OpenTelemetry;

namespace MemLens.AspNetCore;

/// <summary>Options of the in-process dashboard (<c>AddMemLens</c> / <c>MapMemLens</c> / <see cref="MemLensServer"/>).</summary>
public sealed class MemLensOptions
{
    /// <summary>
    /// Allows the POST actions (release memory). They change the process's state, so they are off unless
    /// switched on here; protect the endpoint (<c>MapMemLens().RequireAuthorization()</c>) when you do.
    /// Default: false.
    /// </summary>
    public bool EnableActions { get; set; }

    /// <summary>How often /proc and the GC are sampled. Default: 1 second. Allowed: 100 ms to 1 minute.</summary>
    public TimeSpan SampleInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Memory the history may use: full resolution for the recent past, minute and hour min/max/mean further
    /// back. Default: 8 MiB (about 24 h of 30 series at 1 Hz at full resolution).
    /// </summary>
    public long HistoryBudgetBytes { get; set; } = 8L * 1024 * 1024;

    /// <summary>Events (GCs, actions, errors) kept beside the series, the oldest dropped first. Default: 20,000.</summary>
    public int MaxEvents { get; set; } = 20_000;

    /// <summary>
    /// Frames queued per live-stream client. A client that falls this far behind has new frames dropped (and is
    /// told so) instead of the queue growing. Default: 256.
    /// </summary>
    public int StreamQueueLength { get; set; } = 256;

    /// <summary>Live-stream clients served at once; more get 503. Default: 32.</summary>
    public int MaxStreamClients { get; set; } = 32;

    /// <summary>
    /// Reads PSS, USS and LazyFree from /proc/self/smaps_rollup. Its cost grows with resident memory and is
    /// scheduled to stay under 0.1 % of a core. Default: true.
    /// </summary>
    public bool ReadSmapsRollup { get; set; } = true;

    /// <summary>
    /// A bearer token every <c>api/</c> route and <c>MapMemLensMetrics</c> require (header <c>Authorization: Bearer …</c> or query
    /// <c>access_token</c>); the page asks for it. For simple setups; prefer <c>RequireAuthorization()</c> with
    /// your app's own authentication. Default: null (no token).
    /// </summary>
    public string? AccessToken { get; set; }

    /// <summary>
    /// Host names (optionally <c>name:port</c>) the dashboard also answers under, besides this machine's loopback names
    /// (<c>localhost</c>, <c>127.0.0.1</c>, <c>[::1]</c>) — e.g. the name a local reverse proxy forwards. Any other
    /// <c>Host</c> is refused with 403 (a DNS-rebinding page names its own), unless an <see cref="AccessToken"/> or an
    /// authorization policy (<c>MapMemLens().RequireAuthorization()</c>) protects the routes in the app. Default: empty.
    /// </summary>
    public IList<string> AllowedHosts { get; } = [];

    /// <summary>
    /// Heap snapshots of an attached process the dashboard keeps (for its list and diffs), the oldest dropped
    /// first. Each holds one row per type, so a few hundred KiB. Default: 16. Allowed: 1 to 1,000.
    /// </summary>
    public int MaxSnapshots { get; set; } = 16;

    /// <summary>Title shown in the page. Default: null, meaning the process name and id.</summary>
    public string? Title { get; set; }

    /// <summary>
    /// Also records the series, events and the process's facts to this SQLite file (MemLens.Recording; open it with
    /// <c>memlens open</c>, <c>report</c>, <c>doctor</c> or <c>export</c>), flushed every second, bounded by
    /// <see cref="RecordMaxBytes"/>. The file must not exist or be empty. A recording that cannot start or fails later
    /// never affects the application: it shows as a <c>recording.error</c> event. Default: null (off).
    /// </summary>
    public string? RecordTo { get; set; }

    /// <summary>
    /// Bound on the recording's size (file and write-ahead log); older data is downsampled to minute and then hour
    /// mean/min/max to stay within it. Default: 256 MiB. At least 1 MiB.
    /// </summary>
    public long RecordMaxBytes { get; set; } = 256L * 1024 * 1024;

    /// <summary>
    /// Also pushes the latest value of every series to an OpenTelemetry Collector over OTLP/HTTP (MemLens.OpenTelemetry:
    /// <see cref="OtlpExportOptions.Endpoint"/> is required, e.g. <c>new() { Endpoint = new("http://collector:4318") }</c>),
    /// labelled with this process (<c>process.pid</c>, <c>service.name</c> …). A push that cannot start or fails later
    /// never affects the application: it shows as an <c>otlp.error</c> event, once per outage. Default: null (off).
    /// </summary>
    public OtlpExportOptions? Otlp { get; set; }

    internal void Validate()
    {
        if (SampleInterval < TimeSpan.FromMilliseconds(100) || SampleInterval > TimeSpan.FromMinutes(1))
        {
            throw new ArgumentOutOfRangeException(nameof(SampleInterval), SampleInterval, "SampleInterval must be between 100 ms and 1 minute.");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(HistoryBudgetBytes, 256 * 1024, nameof(HistoryBudgetBytes));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxEvents, 16, nameof(MaxEvents));
        ArgumentOutOfRangeException.ThrowIfLessThan(StreamQueueLength, 4, nameof(StreamQueueLength));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxStreamClients, 1, nameof(MaxStreamClients));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxSnapshots, 1, nameof(MaxSnapshots));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(MaxSnapshots, 1000, nameof(MaxSnapshots));
        ArgumentOutOfRangeException.ThrowIfLessThan(RecordMaxBytes, 1024 * 1024, nameof(RecordMaxBytes));
        Otlp?.Validate();
    }
}
