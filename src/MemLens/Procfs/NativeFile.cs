using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace MemLens.Procfs;

/// <summary>
/// Opens files with open(2) directly instead of <see cref="File.OpenHandle"/>, because .NET emulates
/// <see cref="FileShare"/> on Unix with flock(2): every handle it opens takes a shared lock, and an
/// exclusive lock held by anyone else makes the open fail with "being used by another process". An
/// observer must neither hold locks on the files it watches nor fail because someone else does.
/// </summary>
internal static partial class NativeFile
{
    private const int ORdOnly = 0;
    private const int OCloexec = 0x80000; // Linux, all mainstream architectures
    private const int Eperm = 1;
    private const int Enoent = 2;
    private const int Eintr = 4;
    private const int Eacces = 13;
    private const int Enotdir = 20;

    /// <summary>
    /// Opens <paramref name="path"/> read-only. Errors are reported with the exception types .NET uses
    /// for the same errno: <see cref="FileNotFoundException"/> (ENOENT), <see cref="DirectoryNotFoundException"/>
    /// (ENOTDIR), <see cref="UnauthorizedAccessException"/> (EACCES, EPERM), otherwise an
    /// <see cref="IOException"/> whose HResult is the errno (ESRCH: the process is gone).
    /// </summary>
    public static SafeFileHandle OpenRead(string path)
    {
        int fd;
        int errno;
        do
        {
            fd = Open(path, ORdOnly | OCloexec);
            errno = fd < 0 ? Marshal.GetLastPInvokeError() : 0;
        }
        while (fd < 0 && errno == Eintr);

        if (fd < 0)
        {
            string message = $"{Marshal.GetPInvokeErrorMessage(errno)}: '{path}'";
            throw errno switch
            {
                Enoent => new FileNotFoundException(message, path),
                Enotdir => new DirectoryNotFoundException(message),
                Eacces or Eperm => new UnauthorizedAccessException(message),
                _ => new IOException(message, errno),
            };
        }

        return new SafeFileHandle(fd, ownsHandle: true);
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);
}
