using System.Net;

namespace MemLens.AspNetCore;

/// <summary>Where <see cref="MemLensServer"/> listens.</summary>
public sealed class MemLensServerOptions
{
    /// <summary>
    /// Address to bind. Anything but a loopback address exposes the dashboard to the network, so it then needs
    /// an access token (<see cref="AccessToken"/>, generated when not given). Default: 127.0.0.1.
    /// </summary>
    public IPAddress Address { get; set; } = IPAddress.Loopback;

    /// <summary>TCP port; 0 lets the operating system choose a free one. Default: 0.</summary>
    public int Port { get; set; }

    /// <summary>
    /// Bearer token the API requires. Default: null — none on loopback; generated (and readable from
    /// <see cref="MemLensServer.AccessToken"/>) when <see cref="Address"/> is not loopback.
    /// </summary>
    public string? AccessToken { get; set; }
}
