using System.Runtime.CompilerServices;

namespace MemLens.Tests.Support;

/// <summary>
/// Finds the repository's root (the folder holding MemLens.sln): above the test's output folder, or,
/// when the build output lives elsewhere (--artifacts-path), above this source file.
/// </summary>
internal static class RepositoryRoot
{
    public static string Path { get; } = Find(AppContext.BaseDirectory) ?? Find(SourceFolder()) ??
        throw new InvalidOperationException("MemLens.sln not found above " + AppContext.BaseDirectory);

    private static string? Find(string start)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "MemLens.sln")))
            {
                return dir.FullName;
            }
        }

        return null;
    }

    private static string SourceFolder([CallerFilePath] string path = "") => System.IO.Path.GetDirectoryName(path) ?? "/";
}
