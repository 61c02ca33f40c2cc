using System.Buffers.Binary;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace MemLens.Procfs;

/// <summary>
/// Recognises Go executables by the build-info blob the Go linker embeds ("\xff Go buildinf:", in the
/// <c>.go.buildinfo</c> ELF section) and reads the Go version from it when that is cheap.
/// </summary>
/// <remarks>
/// Executables are large (tens of MiB) and the blob sits wherever the data segment starts, often far
/// past the first MiB, so the ELF section table is consulted first: a few small reads at known offsets.
/// Only when that fails (no section headers, not ELF) is the start of the file scanned, in fixed chunks
/// up to <see cref="MaxScanBytes"/>. Layout of the blob: 14-byte magic, pointer size, flags, padding to
/// 32 bytes; with flag 2 (Go 1.18+) two varint-length-prefixed strings follow, the version first.
/// Older builds store pointers instead; for those the version is left unknown.
/// </remarks>
public static class GoBuildInfo
{
    /// <summary>How far into a file the fallback scan looks.</summary>
    public const int MaxScanBytes = 8 << 20;

    private const int HeaderSize = 32;
    private const int FlagsVersionInline = 2;
    private const int MaxVersionLength = 128;
    private const int BlobReadSize = HeaderSize + 10 + MaxVersionLength;

    /// <summary>The 14 bytes that open the build-info blob.</summary>
    public static ReadOnlySpan<byte> Magic => [0xFF, (byte)' ', (byte)'G', (byte)'o', (byte)' ', (byte)'b', (byte)'u', (byte)'i', (byte)'l', (byte)'d', (byte)'i', (byte)'n', (byte)'f', (byte)':'];

    /// <summary>
    /// Reads the version from a buffer that starts at the magic (at least 32 bytes for a verdict).
    /// Returns false when the buffer does not start with a build-info header; true with a null
    /// <paramref name="version"/> when it does but the version is not inline or is cut short.
    /// </summary>
    public static bool TryParseBlob(ReadOnlySpan<byte> blob, out string? version)
    {
        version = null;
        if (blob.Length < HeaderSize || !blob.StartsWith(Magic))
        {
            return false;
        }

        if ((blob[15] & FlagsVersionInline) == 0)
        {
            return true; // pre-1.18 layout: pointers into the data segment
        }

        var rest = blob[HeaderSize..];
        ulong length = 0;
        int shift = 0;
        int i = 0;
        for (; i < rest.Length && i < 10; i++)
        {
            length |= (ulong)(rest[i] & 0x7F) << shift;
            shift += 7;
            if ((rest[i] & 0x80) == 0)
            {
                break;
            }
        }

        if (i >= rest.Length || (rest[i] & 0x80) != 0 || length == 0 || length > MaxVersionLength || (ulong)(rest.Length - i - 1) < length)
        {
            return true;
        }

        var text = rest.Slice(i + 1, (int)length);
        foreach (byte b in text)
        {
            if (b < 0x21 || b > 0x7E)
            {
                return true; // not a version string; do not show garbage
            }
        }

        version = Encoding.ASCII.GetString(text);
        return true;
    }

    /// <summary>
    /// Looks for the build-info magic in a buffer (a synthetic one in tests, a file chunk in
    /// <see cref="TryRead"/>) and parses what follows it. False when the magic is absent.
    /// </summary>
    public static bool TryFind(ReadOnlySpan<byte> buffer, out string? version)
    {
        version = null;
        int at = buffer.IndexOf(Magic);
        return at >= 0 && TryParseBlob(buffer[at..], out version);
    }

    /// <summary>
    /// True when the file at <paramref name="executablePath"/> (e.g. /proc/&lt;pid&gt;/exe) is a Go
    /// program; <paramref name="version"/> is its Go version ("go1.22.3") when it could be read.
    /// Never throws for unreadable or odd files: they are not Go.
    /// </summary>
    public static bool TryRead(string executablePath, out string? version)
    {
        version = null;
        try
        {
            using var handle = NativeFile.OpenRead(executablePath);
            long offset = FindSectionOffset(handle, ".go.buildinfo"u8);
            if (offset >= 0)
            {
                Span<byte> blob = stackalloc byte[BlobReadSize];
                int n = RandomAccess.Read(handle, blob, offset);
                if (TryParseBlob(blob[..n], out version))
                {
                    return true;
                }
            }

            // A readable section table without the section is a native program: no need to scan
            // megabytes of it. Scan only when the table could not be used (not ELF, or stripped of it).
            return offset == SectionTableUnreadable && ScanPrefix(handle, out version);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return false;
        }
    }

    // Chunked scan with an overlap so a magic straddling two chunks is still seen.
    private static bool ScanPrefix(SafeFileHandle handle, out string? version)
    {
        version = null;
        const int chunk = 64 * 1024;
        var buffer = new byte[chunk + BlobReadSize];
        long position = 0;
        while (position < MaxScanBytes)
        {
            int n = RandomAccess.Read(handle, buffer, position);
            if (n <= 0)
            {
                return false;
            }

            int at = buffer.AsSpan(0, n).IndexOf(Magic);
            if (at >= 0)
            {
                // Re-read from the magic so the whole blob is in the buffer.
                int m = RandomAccess.Read(handle, buffer.AsSpan(0, BlobReadSize), position + at);
                return TryParseBlob(buffer.AsSpan(0, m), out version);
            }

            if (n < buffer.Length)
            {
                return false;
            }

            position += n - (Magic.Length - 1);
        }

        return false;
    }

    private const long SectionTableUnreadable = -1;
    private const long SectionNotPresent = -2;

    /// <summary>
    /// File offset of the named ELF section; <see cref="SectionNotPresent"/> when the section table was read
    /// and has no such section; <see cref="SectionTableUnreadable"/> when there is no usable table.
    /// Bounded: at most 4096 section headers and a 64 KiB name table.
    /// </summary>
    internal static long FindSectionOffset(SafeFileHandle handle, ReadOnlySpan<byte> sectionName)
    {
        Span<byte> header = stackalloc byte[64];
        if (RandomAccess.Read(handle, header, 0) < 52 || !header.StartsWith((ReadOnlySpan<byte>)[0x7F, (byte)'E', (byte)'L', (byte)'F']))
        {
            return SectionTableUnreadable;
        }

        bool is64 = header[4] == 2;
        bool bigEndian = header[5] == 2;
        long shOff = is64 ? (long)U64(header[0x28..], bigEndian) : U32(header[0x20..], bigEndian);
        int shEntSize = U16(header[(is64 ? 0x3A : 0x2E)..], bigEndian);
        int shNum = U16(header[(is64 ? 0x3C : 0x30)..], bigEndian);
        int shStrIndex = U16(header[(is64 ? 0x3E : 0x32)..], bigEndian);
        int minEntSize = is64 ? 64 : 40;
        if (shOff <= 0 || shNum == 0 || shNum > 4096 || shEntSize < minEntSize || shEntSize > 256 || shStrIndex >= shNum)
        {
            return SectionTableUnreadable;
        }

        var table = new byte[shNum * shEntSize];
        if (RandomAccess.Read(handle, table, shOff) != table.Length)
        {
            return SectionTableUnreadable;
        }

        var strSection = table.AsSpan(shStrIndex * shEntSize, shEntSize);
        long strOffset = SectionOffset(strSection, is64, bigEndian);
        long strSize = SectionSize(strSection, is64, bigEndian);
        if (strOffset <= 0 || strSize <= 0 || strSize > 64 * 1024)
        {
            return SectionTableUnreadable;
        }

        var names = new byte[strSize];
        int namesRead = RandomAccess.Read(handle, names, strOffset);
        for (int i = 0; i < shNum; i++)
        {
            var section = table.AsSpan(i * shEntSize, shEntSize);
            long nameAt = U32(section, bigEndian);
            if (nameAt + sectionName.Length + 1 > namesRead)
            {
                continue;
            }

            var name = names.AsSpan((int)nameAt, sectionName.Length + 1);
            if (name[..^1].SequenceEqual(sectionName) && name[^1] == 0)
            {
                return SectionOffset(section, is64, bigEndian);
            }
        }

        return SectionNotPresent;
    }

    private static long SectionOffset(ReadOnlySpan<byte> section, bool is64, bool bigEndian) =>
        is64 ? (long)Math.Min(U64(section[24..], bigEndian), long.MaxValue) : U32(section[16..], bigEndian);

    private static long SectionSize(ReadOnlySpan<byte> section, bool is64, bool bigEndian) =>
        is64 ? (long)Math.Min(U64(section[32..], bigEndian), long.MaxValue) : U32(section[20..], bigEndian);

    private static ushort U16(ReadOnlySpan<byte> s, bool bigEndian) =>
        bigEndian ? BinaryPrimitives.ReadUInt16BigEndian(s) : BinaryPrimitives.ReadUInt16LittleEndian(s);

    private static uint U32(ReadOnlySpan<byte> s, bool bigEndian) =>
        bigEndian ? BinaryPrimitives.ReadUInt32BigEndian(s) : BinaryPrimitives.ReadUInt32LittleEndian(s);

    private static ulong U64(ReadOnlySpan<byte> s, bool bigEndian) =>
        bigEndian ? BinaryPrimitives.ReadUInt64BigEndian(s) : BinaryPrimitives.ReadUInt64LittleEndian(s);
}
