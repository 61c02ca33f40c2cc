using MemLens.AspNetCore;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

// Extension methods live in the namespace of the type they extend, so they show up without a using.
namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers MemLens: a monitor of the current process, sampled in the background while the host runs.</summary>
public static class MemLensServiceCollectionExtensions
{
    /// <summary>Adds MemLens with default options (actions off, 1 s sampling, 8 MiB of history).</summary>
    public static IServiceCollection AddMemLens(this IServiceCollection services) => services.AddMemLens(_ => { });

    /// <summary>Adds MemLens with options, e.g. <c>o => o.EnableActions = true</c>.</summary>
    public static IServiceCollection AddMemLens(this IServiceCollection services, Action<MemLensOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.Configure(configure);
        services.TryAddSingleton(sp => MemLensMonitor.ForCurrentProcess(sp.GetRequiredService<IOptions<MemLensOptions>>().Value));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, MemLensHostedService>());
        // Says at start-up when the app listens beyond loopback and nothing protects the MemLens routes.
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, MemLens.AspNetCore.Access.ExposureWarning>());
        return services;
    }
}
