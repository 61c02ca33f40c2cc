using System.IO.Compression;
using FsCheck;
using FsCheck.Fluent;
using Google.Protobuf;
using MemLens.Diagnostics.Snapshots;
using MemLens.Pprof;
using MemLens.Snapshots;
using Xunit;

namespace MemLens.Diagnostics.Tests.Pprof;

/// <summary>PprofFile reads gzip-compressed and raw profiles, and turns bad or oversized input into one-line errors.</summary>
public class PprofFileTests
{
    private static readonly HeapSnapshot s_snapshot =
        new(7, "app", 1_700_000_000_000, [new("System.Byte[]", 10, 40_960), new("Shop.Order", 3, 96)]) { GcIndex = 5 };

    [Fact]
    public void A_file_written_by_the_export_reads_back_as_the_same_profile()
    {
        string path = Path.Combine(Path.GetTempPath(), $"memlens-pprof-{Guid.NewGuid():N}.pb.gz");
        try
        {
            PprofExport.Write(path, s_snapshot);

            var read = PprofFile.Read(path);

            Assert.Equal(PprofExport.ToProfile(s_snapshot), read);
            Assert.Equal(2, read.Sample.Count);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void An_uncompressed_profile_is_read_as_pprof_reads_it()
    {
        var profile = PprofExport.ToProfile(s_snapshot);

        var read = PprofFile.Read(new MemoryStream(profile.ToByteArray()));

        Assert.Equal(profile, read);
    }

    [Fact]
    public void A_profile_larger_than_the_cap_once_decompressed_is_refused()
    {
        // Many similar names: the file compresses well, so the cap is passed by the decompressed bytes, not the file.
        var big = new HeapSnapshot(7, "app", 0, Enumerable.Range(0, 500).Select(i => new TypeStat($"Shop.Orders.Order{i}", i, i * 64L)));
        byte[] gzipped = PprofExportGeneratedParserTests.Export(big);
        int decompressed = PprofExport.ToProfile(big).CalculateSize();
        Assert.True(gzipped.Length < decompressed / 2);

        var e = Assert.Throws<InvalidDataException>(() => PprofFile.Read(new MemoryStream(gzipped), maxBytes: decompressed - 1));

        Assert.Contains($"larger than {decompressed - 1} bytes", e.Message, StringComparison.Ordinal);
        Assert.Equal(PprofExport.ToProfile(big), PprofFile.Read(new MemoryStream(gzipped), maxBytes: decompressed));
    }

    [Fact]
    public void A_cut_gzip_stream_is_bad_data_not_a_crash()
    {
        byte[] gzipped = PprofExportGeneratedParserTests.Export(s_snapshot);
        byte[] bad = gzipped.ToArray();
        bad[12] ^= 0xff; // inside the deflate data, after the 10-byte header

        Assert.Throws<InvalidDataException>(() => PprofFile.Read(new MemoryStream(bad)));
    }

    [Fact]
    public void Arbitrary_bytes_either_parse_or_are_InvalidDataException()
    {
        // Raw bytes, and the same bytes behind a gzip header: both paths of the reader.
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(1000), Prop.ForAll(ArbMap.Default.ArbFor<byte[]>(), bytes =>
        {
            foreach (var input in new[] { bytes, Gzip(bytes), [0x1f, 0x8b, .. bytes] })
            {
                try
                {
                    PprofFile.Read(new MemoryStream(input));
                }
                catch (InvalidDataException)
                {
                }
            }
        }));
    }

    private static byte[] Gzip(byte[] bytes)
    {
        using var output = new MemoryStream();
        using (var gz = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true))
        {
            gz.Write(bytes);
        }

        return output.ToArray();
    }
}
