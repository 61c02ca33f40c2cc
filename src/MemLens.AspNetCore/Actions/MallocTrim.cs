using System.Runtime.InteropServices;

namespace MemLens.AspNetCore.Actions;

/// <summary>
/// glibc's <c>malloc_trim(0)</c>: gives free heap pages at the top of each arena and free whole pages inside
/// them back to the kernel. Only glibc has it; on musl (Alpine) the call is skipped. No library wraps it, so
/// it is a two-line P/Invoke.
/// </summary>
internal static partial class MallocTrim
{
    public const string Called = "called";
    public const string NotGlibc = "not-glibc";
    public const string Failed = "failed";

    private static readonly Lazy<bool> s_isGlibc = new(DetectGlibc);

    public static bool IsGlibc => s_isGlibc.Value;

    /// <summary>Calls malloc_trim(0) when the process runs on glibc; says what happened.</summary>
    public static string Run()
    {
        if (!OperatingSystem.IsLinux() || !IsGlibc)
        {
            return NotGlibc;
        }

        try
        {
            malloc_trim(0);
            return Called;
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            return Failed;
        }
    }

    private static bool DetectGlibc()
    {
        // gnu_get_libc_version exists only in glibc.
        return NativeLibrary.TryLoad("libc.so.6", out var libc) && NativeLibrary.TryGetExport(libc, "gnu_get_libc_version", out _);
    }

    [LibraryImport("libc.so.6", EntryPoint = "malloc_trim")]
    private static partial int malloc_trim(nuint pad);
}
