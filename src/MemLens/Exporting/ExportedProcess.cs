namespace MemLens.Exporting;

/// <summary>
/// Which process exported figures describe: the labels of the Prometheus endpoint (<c>pid</c>, <c>process_name</c>,
/// <c>runtime</c>) and the resource attributes of OTLP pushes (<c>process.pid</c>, <c>process.executable.name</c>,
/// <c>process.runtime.name</c>).
/// </summary>
/// <param name="ProcessId">Its PID.</param>
/// <param name="Name">Its program name, e.g. <c>MemLens.Demo</c>.</param>
/// <param name="Runtime"><c>dotnet</c>, <c>go</c> or <c>native</c>.</param>
public sealed record ExportedProcess(int ProcessId, string Name, string Runtime);
