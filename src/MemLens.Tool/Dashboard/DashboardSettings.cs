using System.Net;
using MemLens.AspNetCore;

namespace MemLens.Tool.Dashboard;

/// <summary>Where the dashboard listens and what guards it, as settled from the command line.</summary>
/// <param name="Address">Address to bind.</param>
/// <param name="Port">TCP port; 0 for a free one.</param>
/// <param name="Token">The access token in use, or null when none is needed.</param>
/// <param name="TokenGenerated">True when the token was made up for this run (none given on a non-loopback address).</param>
/// <param name="OpenBrowser">Try to open a browser at start.</param>
internal sealed record DashboardSettings(IPAddress Address, int Port, string? Token, bool TokenGenerated, bool OpenBrowser)
{
    /// <summary>Shortest token accepted on an address other than loopback (a random one is generated when none is given).</summary>
    public const int MinimumTokenLength = 16;

    /// <summary>True when only this machine can reach the dashboard.</summary>
    public bool IsLocal => MemLensServer.IsLocal(Address);

    /// <summary>
    /// Settles the token: the given one, else none on loopback and a fresh random one on any other address
    /// (the rule of DESIGN.md: another address needs a token).
    /// </summary>
    public static DashboardSettings Create(IPAddress address, int port, string? givenToken, bool openBrowser)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (!string.IsNullOrEmpty(givenToken))
        {
            return new DashboardSettings(address, port, givenToken, TokenGenerated: false, openBrowser);
        }

        return MemLensServer.IsLocal(address)
            ? new DashboardSettings(address, port, null, TokenGenerated: false, openBrowser)
            : new DashboardSettings(address, port, MemLensServer.NewToken(), TokenGenerated: true, openBrowser);
    }

    /// <summary>
    /// Why <paramref name="token"/> (from <paramref name="from"/>: an option or a variable's name) is too weak to guard
    /// <paramref name="address"/>, in one line; null when it will do. On loopback any token does.
    /// </summary>
    public static string? WeakTokenProblem(IPAddress address, string? token, string from)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (token is null || token.Length >= MinimumTokenLength || MemLensServer.IsLocal(address))
        {
            return null;
        }

        return $"{from} has {token.Length} character{(token.Length == 1 ? "" : "s")}; on {address}, reachable from the network, a token must be " +
               $"at least {MinimumTokenLength} characters: make one with 'openssl rand -hex 16', or give none to have one generated.";
    }

    /// <summary>The endpoint as the demo's <c>--listen</c> takes it: <c>127.0.0.1:0</c>, <c>[::1]:8080</c>.</summary>
    public string Endpoint => new IPEndPoint(Address, Port).ToString();

    /// <summary><paramref name="url"/> with <c>#token=…</c> when a token is in use, so following it just works.</summary>
    public Uri WithToken(Uri url)
    {
        ArgumentNullException.ThrowIfNull(url);
        return Token is null ? url : new Uri(url, "#token=" + Uri.EscapeDataString(Token));
    }
}
