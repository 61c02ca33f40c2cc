using MemLens.Sampling;

namespace MemLens.Procfs;

/// <summary>
/// Turns the exceptions .NET raises for /proc errno values into MemLens's one-line errors.
/// .NET maps ENOENT to <see cref="FileNotFoundException"/>/<see cref="DirectoryNotFoundException"/>,
/// EACCES/EPERM to <see cref="UnauthorizedAccessException"/>, and other errno values (ESRCH among them)
/// to an <see cref="IOException"/> whose HResult is the raw errno.
/// </summary>
internal static class ProcErrors
{
    private const int Esrch = 3;

    /// <summary>True when the error says the process is gone (ENOENT, ESRCH).</summary>
    public static bool MeansProcessGone(Exception ex) =>
        ex is FileNotFoundException or DirectoryNotFoundException
        || (ex is IOException io && io.GetType() == typeof(IOException) && io.HResult == Esrch);

    /// <summary>Maps an error from opening a process's /proc file; null when it is not one we translate.</summary>
    public static Exception? ForOpen(Exception ex, int pid, string path, string procRoot)
    {
        if (ex is UnauthorizedAccessException)
        {
            return new ProcessAccessDeniedException(pid, path, ex);
        }

        // ENOENT with the pid's directory gone: no such process. ESRCH: the process has exited and
        // only a zombie is left (its memory files cannot be opened any more).
        if (ex is IOException io && io.GetType() == typeof(IOException) && io.HResult == Esrch)
        {
            return new ProcessNotFoundException(pid, ex);
        }

        if (MeansProcessGone(ex) && !Directory.Exists(Path.Combine(procRoot, pid.ToString(System.Globalization.CultureInfo.InvariantCulture))))
        {
            return new ProcessNotFoundException(pid, ex);
        }

        return null;
    }

    /// <summary>Maps an error from re-reading a kept-open /proc file; null when it is not one we translate.</summary>
    public static Exception? ForReread(Exception ex, int pid, string path)
    {
        if (MeansProcessGone(ex))
        {
            return Exited(pid, ex);
        }

        if (ex is UnauthorizedAccessException)
        {
            // The process exec'd a setuid binary or changed credentials since we opened it.
            return new ProcessAccessDeniedException(pid, path, ex);
        }

        return null;
    }

    public static TargetExitedException Exited(int pid, Exception? inner = null) =>
        inner is null
            ? new TargetExitedException($"Process {pid} has exited.") { ProcessId = pid }
            : new TargetExitedException($"Process {pid} has exited.", inner) { ProcessId = pid };
}
