namespace MemLens.Tool.Attaching;

/// <summary>Finds the file a command name runs, the way a shell would: a path as given, a bare name on PATH.</summary>
internal static class Executables
{
    /// <summary>The executable <paramref name="command"/> names, or null when there is none.</summary>
    public static string? Resolve(string command)
    {
        if (command.Contains('/', StringComparison.Ordinal))
        {
            return File.Exists(command) ? Path.GetFullPath(command) : null;
        }

        foreach (string dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            string candidate = Path.Combine(dir, command);
            if (File.Exists(candidate)
                && (OperatingSystem.IsWindows() || (File.GetUnixFileMode(candidate) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0))
            {
                return candidate;
            }
        }

        return null;
    }

    /// <summary>How far into an executable the .NET host's marker is looked for (a single-file app's host comes first).</summary>
    private const int HostScanBytes = 16 << 20;

    /// <summary>
    /// True when <paramref name="path"/> is a .NET host: the <c>dotnet</c> muxer, an app's apphost or a single-file
    /// app, all ELF files that load (or hold) hostfxr and so name <c>libhostfxr.so</c>. Only such a program will open a
    /// diagnostic port for <c>memlens run</c> to attach to; anything else (a shell, a native server) is not waited for.
    /// </summary>
    public static bool IsDotnetHost(string path)
    {
        ReadOnlySpan<byte> elf = [0x7F, (byte)'E', (byte)'L', (byte)'F'];
        ReadOnlySpan<byte> marker = "libhostfxr.so"u8;
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 1);
            var buffer = new byte[64 << 10];
            int kept = 0;
            long scanned = 0;
            bool first = true;
            while (scanned < HostScanBytes)
            {
                int read = stream.Read(buffer, kept, buffer.Length - kept);
                if (read <= 0)
                {
                    return false;
                }

                int length = kept + read;
                if (first && (length < elf.Length || !buffer.AsSpan(0, elf.Length).SequenceEqual(elf)))
                {
                    return false;
                }

                first = false;
                if (buffer.AsSpan(0, length).IndexOf(marker) >= 0)
                {
                    return true;
                }

                // Keep the tail, in case the marker straddles two reads.
                kept = Math.Min(marker.Length - 1, length);
                buffer.AsSpan(length - kept, kept).CopyTo(buffer);
                scanned += read;
            }

            return false;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}
