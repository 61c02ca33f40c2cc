using Xunit;

namespace MemLens.Tests.Procfs;

/// <summary>
/// Go executables on this machine, used as real inputs: the Go toolchain's own binaries (go and gofmt are built with
/// Go) and tools built with Go that happen to be installed.
/// </summary>
/// <remarks>
/// A missing prerequisite fails the test that needs it, with the reason; it is never a skip. ./test.sh installs
/// Debian's golang-go, so on a machine where the suite runs as it should, Go is there: a test that skipped for its
/// absence would pass silently where it ran nothing (./test.sh also counts any skip whose reason is not on its
/// allow-list as a failure).
/// </remarks>
internal static class GoExecutables
{
    private static readonly string? s_toolchain = ChildProcess.FindOnPath("go");

    private static readonly string[] s_installed =
        ["/usr/local/bin/docker", "/usr/bin/kubectl", "/usr/lib/google-cloud-sdk/bin/gcloud-crc32c", "/usr/local/bin/terraform", "/usr/bin/gh", "/usr/bin/hugo"];

    private static readonly string[] s_present =
        [.. ToolchainBinaries().Concat(s_installed.Where(File.Exists)).Distinct(StringComparer.Ordinal)];

    /// <summary>The Go executables found (at least the toolchain's); throws, with the reason, when there is none.</summary>
    public static string[] Present => s_present.Length > 0 ? s_present : throw new InvalidOperationException(
        "No Go executable on this machine: `go` is not on PATH (./test.sh installs Debian's golang-go) and none of docker, kubectl, gcloud-crc32c, terraform, gh, hugo is installed.");

    /// <summary>The `go` command on PATH; throws, with the reason, when Go is not installed.</summary>
    public static string GoToolchain => s_toolchain ?? throw new InvalidOperationException(
        "Go is not installed (`go` not on PATH): ./test.sh installs Debian's golang-go, which this test needs to build a live Go program.");

    // `go` on PATH is usually a symbolic link (/usr/bin/go → ../lib/go-1.19/bin/go): the ELF file is its target;
    // gofmt lies beside it.
    private static IEnumerable<string> ToolchainBinaries()
    {
        if (s_toolchain is null)
        {
            yield break;
        }

        string go = new FileInfo(s_toolchain).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? s_toolchain;
        yield return go;
        string gofmt = Path.Combine(Path.GetDirectoryName(go)!, "gofmt");
        if (File.Exists(gofmt))
        {
            yield return gofmt;
        }
    }
}

/// <summary>
/// A fact on the Go executables of this machine (<see cref="GoExecutables.Present"/>). It used to be skipped when none
/// was installed, silently; the toolchain's own binaries now always qualify, and without Go it fails with the reason.
/// </summary>
public sealed class GoExecutableFactAttribute : FactAttribute
{
}

/// <summary>
/// A fact that builds and runs a Go program with the toolchain (<see cref="GoExecutables.GoToolchain"/>). It used to be
/// skipped without `go` on PATH, silently; ./test.sh installs Go, so now it fails with the reason instead.
/// </summary>
public sealed class GoToolchainFactAttribute : FactAttribute
{
}
