namespace MemLens.AspNetCore;

/// <summary>The process a dashboard shows.</summary>
/// <param name="ProcessId">Its PID.</param>
/// <param name="Name">Its name, e.g. <c>MemLens.Demo</c>.</param>
/// <param name="Runtime"><c>dotnet</c>, <c>go</c> or <c>native</c>.</param>
/// <param name="InProcess">True when the dashboard runs inside the process it shows.</param>
public sealed record MemLensTarget(int ProcessId, string Name, string Runtime, bool InProcess)
{
    /// <summary>The current process.</summary>
    public static MemLensTarget Current()
    {
        // Under `dotnet app.dll` the process is called "dotnet"; the entry assembly names the program.
        string? name = System.Reflection.Assembly.GetEntryAssembly()?.GetName().Name;
        if (string.IsNullOrEmpty(name))
        {
            using var self = System.Diagnostics.Process.GetCurrentProcess();
            name = self.ProcessName;
        }

        return new MemLensTarget(Environment.ProcessId, name, "dotnet", InProcess: true);
    }

    /// <summary>The process as exporters (Prometheus, OTLP) label it.</summary>
    public MemLens.Exporting.ExportedProcess ToExported() => new(ProcessId, Name, Runtime);
}
