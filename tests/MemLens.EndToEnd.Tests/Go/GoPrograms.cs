using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace MemLens.EndToEnd.Tests.Go;

/// <summary>
/// Builds the Go programs under samples/go with the real Go toolchain (Debian's golang-go, which ./test.sh
/// installs), once per test run, and returns the executable's path.
/// </summary>
internal static class GoPrograms
{
    private static readonly ConcurrentDictionary<string, Lazy<Task<string>>> s_built = new(StringComparer.Ordinal);

    /// <summary>samples/go in the repository the tests were built from.</summary>
    public static string SamplesDirectory { get; } = FindSamples();

    /// <summary>Builds samples/go/<paramref name="name"/> (once) and returns the executable's path.</summary>
    public static Task<string> BuildAsync(string name) =>
        s_built.GetOrAdd(name, n => new Lazy<Task<string>>(() => BuildCoreAsync(n, goCache: null))).Value;

    /// <summary>
    /// Builds samples/go/<paramref name="name"/> as on a fresh machine, from an empty GOCACHE (the standard library
    /// compiled anew; the cache deleted afterwards), into a folder of its own; returns the executable's path.
    /// </summary>
    public static async Task<string> BuildColdAsync(string name)
    {
        string cache = Directory.CreateTempSubdirectory("memlens-gocache-").FullName;
        try
        {
            return await BuildCoreAsync(name, cache);
        }
        finally
        {
            Directory.Delete(cache, recursive: true);
        }
    }

    private static async Task<string> BuildCoreAsync(string name, string? goCache)
    {
        string go = FindOnPath("go") ?? throw new InvalidOperationException(
            "Go is not installed (`go` not on PATH); ./test.sh installs Debian's golang-go.");
        string source = Path.Combine(SamplesDirectory, name);
        string outDir = Path.Combine(Path.GetTempPath(), "memlens-go-tests", Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture), goCache is null ? "" : "cold");
        Directory.CreateDirectory(outDir);
        string binary = Path.Combine(outDir, name);
        var psi = new ProcessStartInfo(go, ["build", "-o", binary, "."])
        {
            WorkingDirectory = source,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        // No module downloads: the samples use the standard library only, and the machine may be offline.
        psi.Environment["GOFLAGS"] = "-mod=mod";
        psi.Environment["GOPROXY"] = "off";
        psi.Environment["GO111MODULE"] = "on";
        if (goCache is not null)
        {
            psi.Environment["GOCACHE"] = goCache;
        }
        using var build = Process.Start(psi)!;
        var stdout = build.StandardOutput.ReadToEndAsync();
        var stderr = build.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await build.WaitForExitAsync(timeout.Token);
        if (build.ExitCode != 0)
        {
            throw new InvalidOperationException($"go build of samples/go/{name} failed ({build.ExitCode}): {await stderr}{await stdout}");
        }

        return binary;
    }

    // Above the test's output folder, or, when the build output lives elsewhere (--artifacts-path), above this source file.
    private static string FindSamples() =>
        FindSamplesAbove(AppContext.BaseDirectory) ?? FindSamplesAbove(SourceFolder()) ??
        throw new DirectoryNotFoundException("samples/go not found above " + AppContext.BaseDirectory);

    private static string? FindSamplesAbove(string start)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "samples", "go");
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    private static string SourceFolder([CallerFilePath] string path = "") => Path.GetDirectoryName(path) ?? "/";

    private static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(d => Path.Combine(d, name)).FirstOrDefault(File.Exists);
}
