using System.Diagnostics;

namespace MemLens.Recording.Tests;

/// <summary>
/// A real, small file system (a 2 MiB tmpfs mounted in a temporary directory) that a test can fill to the last byte
/// and free again: the full disk a recorder meets, not a simulation. Mounting needs root.
/// </summary>
internal sealed class SmallFileSystem : IDisposable
{
    private readonly string _filler;

    private SmallFileSystem(string path)
    {
        Path = path;
        _filler = System.IO.Path.Combine(path, "filler");
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    /// <summary>Mounts a tmpfs of <paramref name="sizeBytes"/> (the test runs as root: see <see cref="RootFactAttribute"/>).</summary>
    public static SmallFileSystem Mount(long sizeBytes)
    {
        string dir = Directory.CreateTempSubdirectory("memlens-full-").FullName;
        var (code, output) = Run("mount", "-t", "tmpfs", "-o", $"size={sizeBytes}", "tmpfs", dir);
        if (code != 0)
        {
            Directory.Delete(dir);
            throw new InvalidOperationException($"mount -t tmpfs -o size={sizeBytes} tmpfs {dir} failed as root: {output.Trim()}");
        }

        return new SmallFileSystem(dir);
    }

    /// <summary>Writes a file until the file system says it is full (ENOSPC); returns the bytes it took.</summary>
    public long Fill()
    {
        long written = 0;
        var block = new byte[4096];
        try
        {
            using var stream = new FileStream(_filler, FileMode.Append, FileAccess.Write, FileShare.None, 1);
            while (true)
            {
                stream.Write(block);
                written += block.Length;
            }
        }
        catch (IOException)
        {
            // ENOSPC: full to the last block.
        }

        return written;
    }

    /// <summary>Deletes what <see cref="Fill"/> wrote.</summary>
    public void Free() => System.IO.File.Delete(_filler);

    public void Dispose()
    {
        var (code, output) = Run("umount", Path);
        if (code != 0)
        {
            // A file still open (a recorder a failed test did not dispose): detach now, freed when it closes.
            (code, output) = Run("umount", "-l", Path);
        }

        if (code == 0)
        {
            Directory.Delete(Path, recursive: true);
        }
        else
        {
            throw new InvalidOperationException($"umount {Path}: {output}");
        }
    }

    private static (int Code, string Output) Run(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using var process = Process.Start(psi)!;
        string output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output);
    }
}

/// <summary>
/// A fact that needs root (to mount a file system). Skipped otherwise with a reason starting "requires root", which
/// test.sh accepts as a reason a test cannot run on this machine; as root it always runs.
/// </summary>
public sealed class RootFactAttribute : Xunit.FactAttribute
{
    public RootFactAttribute()
    {
        if (!IsRoot)
        {
            Skip = "requires root: mounts a small tmpfs to fill it (run as root to include it)";
        }
    }

    /// <summary>The effective user id is 0 (the second figure of "Uid:" in /proc/self/status).</summary>
    internal static bool IsRoot { get; } = System.IO.File.ReadLines("/proc/self/status")
        .First(l => l.StartsWith("Uid:", StringComparison.Ordinal))
        .Split((char[])['\t', ' '], StringSplitOptions.RemoveEmptyEntries)[2] == "0";
}
