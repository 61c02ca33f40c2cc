using Microsoft.Extensions.Hosting;

namespace MemLens.AspNetCore;

/// <summary>Starts sampling when the host starts; the container disposes the monitor when the host stops.</summary>
internal sealed class MemLensHostedService(MemLensMonitor monitor) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        monitor.Start();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
