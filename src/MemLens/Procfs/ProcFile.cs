using Microsoft.Win32.SafeHandles;

namespace MemLens.Procfs;

/// <summary>
/// A /proc (or cgroup) file kept open and re-read from offset 0 into a reusable buffer. Keeping the
/// handle avoids the path walk and permission check of open(2) on every sample, and
/// <see cref="RandomAccess.Read(SafeFileHandle, Span{byte}, long)"/> is one pread(2) with no allocation.
/// </summary>
/// <remarks>
/// <see cref="Read"/> is for files the kernel generates as one record (status, statm, smaps_rollup,
/// cgroup, the cgroup memory files): one read(2) returns all of it when the buffer is large enough, so
/// a read that returns less than the buffer holds the whole file. When the buffer fills up, it is
/// doubled and the file read again from 0; it never grows past <see cref="MaxBytes"/>, and past that
/// the content is cut there (the parsers drop the cut line). Files made of many records (maps,
/// mountinfo) come back about one page per read(2), whatever the buffer size: use <see cref="ReadToEnd"/>.
/// </remarks>
internal sealed class ProcFile : IDisposable
{
    private readonly SafeFileHandle _handle;
    private byte[] _buffer;

    private ProcFile(SafeFileHandle handle, string path, int initialBytes, int maxBytes)
    {
        _handle = handle;
        Path = path;
        MaxBytes = maxBytes;
        _buffer = new byte[Math.Min(initialBytes, maxBytes)];
    }

    /// <summary>The path that was opened.</summary>
    public string Path { get; }

    /// <summary>Largest content read; beyond it the file is cut.</summary>
    public int MaxBytes { get; }

    /// <summary>Current buffer size, for tests and diagnostics.</summary>
    public int Capacity => _buffer.Length;

    /// <summary>Opens <paramref name="path"/> for reading, without file locks; exceptions are those of <see cref="NativeFile.OpenRead"/>.</summary>
    public static ProcFile Open(string path, int initialBytes = 4096, int maxBytes = 1 << 20)
    {
        var handle = NativeFile.OpenRead(path);
        return new ProcFile(handle, path, initialBytes, maxBytes);
    }

    /// <summary>
    /// Opens <c>&lt;procRoot&gt;/&lt;pid&gt;/&lt;fileName&gt;</c>, translating "no such process" and
    /// "permission denied" into <see cref="ProcessNotFoundException"/> and <see cref="ProcessAccessDeniedException"/>.
    /// </summary>
    public static ProcFile OpenForProcess(string procRoot, int pid, string fileName, int initialBytes = 4096, int maxBytes = 1 << 20)
    {
        string path = System.IO.Path.Combine(procRoot, pid.ToString(System.Globalization.CultureInfo.InvariantCulture), fileName);
        if (pid <= 0)
        {
            throw new ProcessNotFoundException(pid);
        }

        try
        {
            return Open(path, initialBytes, maxBytes);
        }
        catch (Exception ex) when (ProcErrors.ForOpen(ex, pid, path, procRoot) is Exception mapped)
        {
            throw mapped;
        }
    }

    /// <summary>
    /// Re-reads the file of process <paramref name="pid"/>, translating "gone" (ENOENT, ESRCH) into
    /// <see cref="MemLens.Sampling.TargetExitedException"/>.
    /// </summary>
    public ReadOnlySpan<byte> ReadForProcess(int pid)
    {
        try
        {
            return Read();
        }
        catch (Exception ex) when (ProcErrors.ForReread(ex, pid, Path) is Exception mapped)
        {
            throw mapped;
        }
    }

    /// <summary>
    /// <see cref="ReadToEnd"/> for a file of process <paramref name="pid"/>, translating "gone" (ENOENT, ESRCH) into
    /// <see cref="MemLens.Sampling.TargetExitedException"/>.
    /// </summary>
    public ReadOnlySpan<byte> ReadToEndForProcess(int pid)
    {
        try
        {
            return ReadToEnd();
        }
        catch (Exception ex) when (ProcErrors.ForReread(ex, pid, Path) is Exception mapped)
        {
            throw mapped;
        }
    }

    /// <summary>
    /// Reads the file from the start. The span is valid until the next call. Exceptions are those of
    /// <see cref="RandomAccess.Read(SafeFileHandle, Span{byte}, long)"/>; callers translate them.
    /// </summary>
    public ReadOnlySpan<byte> Read()
    {
        while (true)
        {
            int n = RandomAccess.Read(_handle, _buffer, 0);
            if (n < _buffer.Length || _buffer.Length >= MaxBytes)
            {
                return new ReadOnlySpan<byte>(_buffer, 0, n);
            }

            _buffer = new byte[Math.Min(_buffer.Length * 2, MaxBytes)];
        }
    }

    /// <summary>
    /// Reads from the start until end of file or <see cref="MaxBytes"/>, however many read(2) calls that
    /// takes. For multi-record files (maps, mountinfo) and one-off reads; it may grow the buffer.
    /// </summary>
    public ReadOnlySpan<byte> ReadToEnd()
    {
        int total = 0;
        while (total < MaxBytes)
        {
            if (total == _buffer.Length)
            {
                Array.Resize(ref _buffer, Math.Min(_buffer.Length * 2, MaxBytes));
            }

            int n = RandomAccess.Read(_handle, _buffer.AsSpan(total), total);
            if (n <= 0)
            {
                break;
            }

            total += n;
        }

        return new ReadOnlySpan<byte>(_buffer, 0, total);
    }

    public void Dispose() => _handle.Dispose();
}
