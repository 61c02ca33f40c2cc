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

    /// <summary>
    /// Host names (optionally <c>name:port</c>) the server also answers under, besides the address it is bound to
    /// (and, on loopback, <c>localhost</c>, <c>127.0.0.1</c>, <c>[::1]</c>; bound to all addresses, any address of
    /// this machine and its name), e.g. a name a reverse proxy forwards. Any other Host gets 403. Added to
    /// <see cref="MemLensOptions.AllowedHosts"/>. Default: empty.
    /// </summary>
    public IList<string> AllowedHosts { get; } = [];
}
