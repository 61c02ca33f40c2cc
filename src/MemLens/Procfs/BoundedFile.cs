namespace MemLens.Procfs;

/// <summary>
/// One-off reads with a size cap, for files read once per process listing (cmdline, environ, maps,
/// the executable): a process may have a huge environment or millions of mappings, and nothing may be
/// read without a bound.
/// </summary>
internal static class BoundedFile
{
    /// <summary>Reads at most <paramref name="maxBytes"/> from the start of <paramref name="path"/>; null when it cannot be read.</summary>
    public static byte[]? TryReadPrefix(string path, int maxBytes, int initialBytes = 4096)
    {
        try
        {
            using var file = ProcFile.Open(path, initialBytes, maxBytes);
            return file.ReadToEnd().ToArray();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
