using System.ComponentModel;
using System.Diagnostics;

namespace MemLens.Tool.Dashboard;

/// <summary>Opens a URL in the desktop's browser with xdg-open, when there is a desktop.</summary>
internal static class BrowserLauncher
{
    /// <summary>Tries to open <paramref name="url"/>; returns one line for the user saying what happened.</summary>
    public static string TryOpen(Uri url)
    {
        ArgumentNullException.ThrowIfNull(url);
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable("DISPLAY"))
            && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("WAYLAND_DISPLAY")))
        {
            return "no display here (DISPLAY and WAYLAND_DISPLAY are unset): open the URL in a browser.";
        }

        if (MemLens.Tool.Attaching.Executables.Resolve("xdg-open") is null || MemLens.Tool.Attaching.Executables.Resolve("sh") is not { } sh)
        {
            return "xdg-open is not installed: open the URL in a browser.";
        }

        // Through sh only to send the browser's chatter to /dev/null rather than into this terminal (or into pipes
        // that close when memlens exits), and through setsid when present so that the browser xdg-open may start
        // is not in memlens's process group: Ctrl+C here must not close it. The URL is a positional argument,
        // never part of the script.
        var psi = new ProcessStartInfo(sh) { UseShellExecute = false };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add("if command -v setsid >/dev/null 2>&1; then exec setsid xdg-open \"$1\"; else exec xdg-open \"$1\"; fi " +
                             "</dev/null >/dev/null 2>&1");
        psi.ArgumentList.Add("memlens-open");
        psi.ArgumentList.Add(url.AbsoluteUri);
        try
        {
            var process = Process.Start(psi);
            if (process is null)
            {
                return "could not run xdg-open: open the URL in a browser.";
            }

            _ = process.WaitForExitAsync().ContinueWith(_ => process.Dispose(), TaskScheduler.Default);
            return "opening it in your browser (xdg-open).";
        }
        catch (Win32Exception ex)
        {
            return $"could not run xdg-open ({ex.Message}): open the URL in a browser.";
        }
    }
}
