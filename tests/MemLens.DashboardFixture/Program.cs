using MemLens.AspNetCore;
using MemLens.DashboardFixture;

// Serves a dashboard over 24 h of 1 Hz history on 127.0.0.1 and a free port. Prints "url <URL>" when ready and
// stops when its standard input closes or says "exit".
// As the memlens tool does for its dashboard server (src/MemLens.Tool/Program.cs).
ThreadPool.GetMinThreads(out int workers, out int io);
ThreadPool.SetMinThreads(Math.Max(workers, 16), Math.Max(io, 16));
long end = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
var store = DayOfHistory.Create(end);
using var monitor = new MemLensMonitor(store, [], new MemLensTarget(Environment.ProcessId, "day-of-history", "dotnet", InProcess: false), new MemLensOptions());
await using var server = MemLensServer.Start(monitor, new MemLensServerOptions());
Console.WriteLine($"url {server.Url}");
while (await Console.In.ReadLineAsync() is { } line && line != "exit")
{
}
