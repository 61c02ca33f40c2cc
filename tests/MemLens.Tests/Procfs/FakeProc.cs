using System.Globalization;

namespace MemLens.Tests.Procfs;

/// <summary>A temp directory laid out like /proc/&lt;pid&gt;/…, for feeding sources truncated or old-kernel files.</summary>
internal sealed class FakeProc : IDisposable
{
    private FakeProc(string root) => Root = root;

    public string Root { get; }

    public static FakeProc With(int pid, params (string Name, byte[] Content)[] files)
    {
        var proc = new FakeProc(Directory.CreateTempSubdirectory("memlens-proc-").FullName);
        foreach (var (name, content) in files)
        {
            proc.Write(pid, name, content);
        }

        return proc;
    }

    /// <summary>Rewrites a file in place (same inode), as the kernel's content changes under a kept-open handle.</summary>
    public void Write(int pid, string name, byte[] content)
    {
        string dir = Path.Combine(Root, pid.ToString(CultureInfo.InvariantCulture));
        Directory.CreateDirectory(dir);
        using var stream = new FileStream(Path.Combine(dir, name), FileMode.OpenOrCreate, FileAccess.Write, FileShare.ReadWrite);
        stream.SetLength(0);
        stream.Write(content);
    }

    public void Dispose() => Directory.Delete(Root, recursive: true);
}
