using System.IO.Compression;
using Google.Protobuf;

namespace MemLens.Pprof;

/// <summary>
/// Reads a pprof profile — a <c>.pb.gz</c> file or the body of a Go program's <c>/debug/pprof/heap</c> — into
/// the generated <see cref="Profile"/>. Gzip-compressed or raw profile.proto are both taken, as pprof does.
/// </summary>
/// <remarks>
/// The decoded size is capped (<see cref="DefaultMaxBytes"/> unless told) because the whole message is parsed
/// in memory and a gzip stream can expand a thousandfold. A bad or oversized profile is an
/// <see cref="InvalidDataException"/> with a one-line message, never a protobuf exception.
/// </remarks>
internal static class PprofFile
{
    /// <summary>256 MiB of decoded profile.proto; a Go heap profile of a large service is a few MiB.</summary>
    public const int DefaultMaxBytes = 256 << 20;

    public static Profile Read(string path, int maxBytes = DefaultMaxBytes)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        return Read(file, maxBytes);
    }

    /// <summary>Reads the profile in <paramref name="input"/> to its end (the stream is left open).</summary>
    public static Profile Read(Stream input, int maxBytes = DefaultMaxBytes)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxBytes);

        // The input is read whole first (capped too): an HTTP body cannot be peeked at for the gzip magic.
        byte[] raw = ReadCapped(input, maxBytes);
        if (raw.Length >= 2 && raw[0] == 0x1f && raw[1] == 0x8b)
        {
            using var gzip = new GZipStream(new MemoryStream(raw), CompressionMode.Decompress);
            raw = ReadCapped(gzip, maxBytes);
        }

        try
        {
            return Profile.Parser.ParseFrom(raw);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new InvalidDataException($"not a pprof profile: {e.Message}", e);
        }
    }

    private static byte[] ReadCapped(Stream input, int maxBytes)
    {
        using var raw = new MemoryStream();
        var chunk = new byte[81920];
        int n;
        while ((n = ReadChunk(input, chunk)) > 0)
        {
            if (raw.Length + n > maxBytes)
            {
                throw new InvalidDataException($"pprof profile larger than {maxBytes} bytes");
            }

            raw.Write(chunk, 0, n);
        }

        return raw.ToArray();
    }

    private static int ReadChunk(Stream input, byte[] chunk)
    {
        try
        {
            return input.Read(chunk, 0, chunk.Length);
        }
        catch (InvalidDataException e) when (input is GZipStream)
        {
            throw new InvalidDataException($"not a pprof profile: bad gzip data ({e.Message})", e);
        }
    }
}
