using System.Text;
using MemLens.Procfs;
using Xunit;

namespace MemLens.Tests.Procfs;

public class RuntimeDetectionTests
{
    private static byte[] GoBlob(byte flags, string? version, int paddingBefore = 0)
    {
        var bytes = new List<byte>(new byte[paddingBefore]);
        bytes.AddRange(GoBuildInfo.Magic.ToArray());
        bytes.Add(8); // pointer size
        bytes.Add(flags);
        bytes.AddRange(new byte[16]);
        if (version is not null)
        {
            bytes.Add((byte)version.Length);
            bytes.AddRange(Encoding.ASCII.GetBytes(version));
            bytes.Add(0x10);
            bytes.AddRange("path\tcmd/x"u8.ToArray());
        }

        return bytes.ToArray();
    }

    [Fact]
    public void Go_1_18_layout_gives_the_version()
    {
        Assert.True(GoBuildInfo.TryFind(GoBlob(2, "go1.22.3", paddingBefore: 1000), out string? version));
        Assert.Equal("go1.22.3", version);
    }

    [Fact]
    public void Pre_1_18_pointer_layout_is_go_with_unknown_version()
    {
        Assert.True(GoBuildInfo.TryFind(GoBlob(0, null, paddingBefore: 16), out string? version));
        Assert.Null(version);
    }

    [Fact]
    public void Cut_or_garbled_blob_is_go_with_unknown_version_and_no_magic_is_not_go()
    {
        byte[] blob = GoBlob(2, "go1.22.3");
        Assert.True(GoBuildInfo.TryFind(blob.AsSpan(0, 36), out string? cut));
        Assert.Null(cut);

        blob[33] = 0x01; // a control character inside the version
        Assert.True(GoBuildInfo.TryFind(blob, out string? garbled));
        Assert.Null(garbled);

        Assert.False(GoBuildInfo.TryFind(new byte[4096], out _));
        Assert.False(GoBuildInfo.TryFind(GoBuildInfo.Magic, out _)); // header shorter than 32 bytes
    }

    [Fact]
    public void File_scan_finds_a_magic_that_straddles_two_chunks()
    {
        string path = Path.GetTempFileName();
        try
        {
            File.WriteAllBytes(path, GoBlob(2, "go1.21.0", paddingBefore: (64 * 1024) - 5));

            Assert.True(GoBuildInfo.TryRead(path, out string? version));
            Assert.Equal("go1.21.0", version);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Native_executables_and_missing_files_are_not_go()
    {
        Assert.False(GoBuildInfo.TryRead("/bin/sleep", out _));
        Assert.False(GoBuildInfo.TryRead("/nonexistent/file", out _));
    }

    [GoExecutableFact]
    public void Go_binaries_on_this_machine_are_found_through_the_elf_section_as_a_full_scan_finds_them()
    {
        // Independent check: a whole-file search for the magic, versus the section-table route.
        foreach (string path in GoExecutables.Present)
        {
            byte[] whole = File.ReadAllBytes(path);
            Assert.True(GoBuildInfo.TryFind(whole, out string? expected), path);

            Assert.True(GoBuildInfo.TryRead(path, out string? version), path);
            Assert.Equal(expected, version);
            Assert.StartsWith("go1.", version);
        }
    }

    [Fact]
    public void Coreclr_in_maps_gives_dotnet_and_the_shared_runtime_version()
    {
        Assert.True(DotNetDetection.TryFindCoreClr(Fixture.Bytes("dotnet.maps-excerpt"), out string? version));
        Assert.Equal("10.0.12", version);

        Assert.True(DotNetDetection.TryFindCoreClr("7f00-7f01 r--p 0 fe:00 1 /app/libcoreclr.so\n"u8, out string? selfContained));
        Assert.Null(selfContained);

        Assert.False(DotNetDetection.TryFindCoreClr("55-56 r--p 0 fe:00 1 /usr/bin/sleep\n"u8, out _));
    }

    [Theory]
    [InlineData("dotnet-diagnostic-1234-5678901-socket", 1234, 5678901L)]
    [InlineData("dotnet-diagnostic-1234-socket", -1, -1L)]
    [InlineData("dotnet-diagnostic-x-1-socket", -1, -1L)]
    [InlineData("dotnet-diagnostic-1234-12ab-socket", -1, -1L)]
    [InlineData("other", -1, -1L)]
    public void Diagnostic_socket_names(string name, int pid, long key)
    {
        Assert.Equal(pid >= 0, DiagnosticSocketName.TryParse(name, out int parsedPid, out long parsedKey));
        Assert.Equal(pid, parsedPid);
        Assert.Equal(key, parsedKey);
    }

    [Fact]
    public void Environment_lookup_in_environ()
    {
        var environ = "PATH=/bin\0TMPDIRX=/no\0TMPDIR=/var/tmp/app\0"u8;

        Assert.Equal("/var/tmp/app", DotNetDetection.FindEnvironmentValue(environ, "TMPDIR"u8));
        Assert.Null(DotNetDetection.FindEnvironmentValue(environ, "HOME"u8));
    }
}
