using Xunit;

namespace MemLens.Tests.Procfs;

/// <summary>Go executables that happen to be installed here (tools built with Go), used as real inputs when present.</summary>
internal static class GoExecutables
{
    private static readonly string[] s_candidates =
        ["/usr/local/bin/docker", "/usr/bin/kubectl", "/usr/lib/google-cloud-sdk/bin/gcloud-crc32c", "/usr/local/bin/terraform", "/usr/bin/gh", "/usr/bin/hugo"];

    public static readonly string[] Present = s_candidates.Where(File.Exists).ToArray();

    public static readonly string? GoToolchain = ChildProcess.FindOnPath("go");
}

/// <summary>A fact that runs only when at least one Go executable is installed.</summary>
public sealed class GoExecutableFactAttribute : FactAttribute
{
    public GoExecutableFactAttribute()
    {
        if (GoExecutables.Present.Length == 0)
        {
            Skip = "No Go executable installed on this machine (looked for docker, kubectl, gcloud-crc32c, terraform, gh, hugo).";
        }
    }
}

/// <summary>A fact that runs only when the Go toolchain (`go`) is on PATH; it is not installed by the tests.</summary>
public sealed class GoToolchainFactAttribute : FactAttribute
{
    public GoToolchainFactAttribute()
    {
        if (GoExecutables.GoToolchain is null)
        {
            Skip = "Go is not installed (`go` not on PATH): the live Go process case is skipped. Detection is still covered by synthetic buffers and installed Go executables.";
        }
    }
}
