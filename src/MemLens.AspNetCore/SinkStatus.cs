namespace MemLens.AspNetCore;

/// <summary>
/// The state of something that reads the monitor's store and writes it elsewhere (a recording, an exporter), as
/// <c>api/status</c> shows it beside the sources: e.g. a recording paused on a full disk.
/// </summary>
/// <param name="Name">What it is, e.g. <c>recording</c>.</param>
/// <param name="State">One lower-case word: <c>recording</c>, <c>disk_full</c>, <c>stopped</c>, <c>closed</c>.</param>
/// <param name="LastError">Its last error on one line, or null.</param>
public sealed record SinkStatus(string Name, string State, string? LastError);
