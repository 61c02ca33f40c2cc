using System.Runtime.InteropServices;

namespace MemLens.Procfs;

/// <summary>
/// The kernel's clock tick rate for times in /proc/&lt;pid&gt;/stat, from sysconf(_SC_CLK_TCK). It is 100 on
/// every mainstream Linux build, but the value is the kernel's to give, so it is asked for.
/// </summary>
internal static partial class ClockTicks
{
    private const int ScClkTck = 2; // _SC_CLK_TCK in glibc and musl

    private static readonly Lazy<long> s_perSecond = new(Query);

    /// <summary>Ticks per second; 100 if sysconf cannot be called.</summary>
    public static long PerSecond => s_perSecond.Value;

    private static long Query()
    {
        try
        {
            long ticks = Sysconf(ScClkTck);
            return ticks > 0 ? ticks : 100;
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            return 100;
        }
    }

    // "libc" is resolved by the runtime to the C library of the platform (libc.so.6 on glibc).
    [LibraryImport("libc", EntryPoint = "sysconf")]
    private static partial long Sysconf(int name);
}
