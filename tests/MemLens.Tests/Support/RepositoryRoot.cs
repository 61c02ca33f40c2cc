namespace MemLens.Tests.Support;

/// <summary>Finds the repository's root (the folder holding MemLens.sln) from the test's output folder.</summary>
internal static class RepositoryRoot
{
    public static string Path { get; } = Find();

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "MemLens.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("MemLens.sln not found above " + AppContext.BaseDirectory);
    }
}
