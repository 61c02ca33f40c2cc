using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using MemLens.Actions;
using Microsoft.Win32.SafeHandles;

namespace MemLens.Diagnostics.Snapshots;

/// <summary>
/// One MemLens snapshot per target at a time: an exclusive flock(2) on <c>$TMPDIR/memlens-snapshot-&lt;pid&gt;.lock</c>,
/// which holds the pid of the MemLens process that owns it. The kernel drops the lock when its owner exits, so a
/// crashed snapshot never blocks the next one.
/// </summary>
/// <remarks>
/// libc directly rather than <see cref="FileStream"/>: .NET takes its own flock on every file it opens, so a second
/// process could not even open the file to read who holds it.
/// </remarks>
internal sealed partial class SnapshotLock : IDisposable
{
    private const int ORdOnly = 0;
    private const int ORdWr = 2;
    private const int OCreat = 0x40;
    private const int OCloexec = 0x80000;
    private const int LockEx = 2;
    private const int LockNb = 4;
    private const int Eintr = 4;
    private const int Ewouldblock = 11;

    private readonly SafeFileHandle _handle;

    private SnapshotLock(SafeFileHandle handle) => _handle = handle;

    public static string PathFor(int targetPid) =>
        Path.Combine(Path.GetTempPath(), $"memlens-snapshot-{targetPid.ToString(CultureInfo.InvariantCulture)}.lock");

    /// <summary>Takes the lock for <paramref name="targetPid"/> or throws <see cref="TargetActionException"/> naming the holder.</summary>
    public static SnapshotLock Acquire(int targetPid)
    {
        string path = PathFor(targetPid);
        int fd = Open(path, ORdWr | OCreat | OCloexec, Convert.ToInt32("644", 8));
        if (fd < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            throw new TargetActionException($"cannot create the snapshot lock file {path}: {Marshal.GetPInvokeErrorMessage(errno)}");
        }

        var handle = new SafeFileHandle(fd, ownsHandle: true);
        int rc;
        int err;
        do
        {
            rc = Flock(fd, LockEx | LockNb);
            err = rc < 0 ? Marshal.GetLastPInvokeError() : 0;
        }
        while (rc < 0 && err == Eintr);

        if (rc < 0)
        {
            handle.Dispose();
            if (err == Ewouldblock)
            {
                string holder = ReadHolder(path) is { } pid ? $"MemLens process {pid}" : "another MemLens process";
                throw new TargetActionException($"a snapshot of process {targetPid} is already being taken by {holder}; wait for it to finish", TargetActionFailure.Busy);
            }

            throw new TargetActionException($"cannot lock {path}: {Marshal.GetPInvokeErrorMessage(err)}");
        }

        // Fixed width, so a shorter pid fully overwrites a longer one left by an earlier holder.
        var text = Encoding.ASCII.GetBytes(Environment.ProcessId.ToString(CultureInfo.InvariantCulture).PadRight(11) + "\n");
        RandomAccess.Write(handle, text, 0);
        return new SnapshotLock(handle);
    }

    public void Dispose() => _handle.Dispose();

    private static int? ReadHolder(string path)
    {
        int fd = Open(path, ORdOnly | OCloexec, 0);
        if (fd < 0)
        {
            return null;
        }

        using var handle = new SafeFileHandle(fd, ownsHandle: true);
        Span<byte> buffer = stackalloc byte[32];
        int n = RandomAccess.Read(handle, buffer, 0);
        return int.TryParse(Encoding.ASCII.GetString(buffer[..n]).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int pid) && pid > 0 ? pid : null;
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags, int mode);

    [LibraryImport("libc", EntryPoint = "flock", SetLastError = true)]
    private static partial int Flock(int fd, int operation);
}
