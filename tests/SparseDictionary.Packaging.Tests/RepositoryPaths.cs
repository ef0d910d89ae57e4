namespace SparseDictionary.Packaging.Tests;

/// <summary>Paths in the repository the tests run from.</summary>
internal static class RepositoryPaths
{
    private static readonly Lazy<string> RootPath = new(FindRoot);

    /// <summary>The repository root (the folder holding SparseDictionary.sln).</summary>
    public static string Root => RootPath.Value;

    /// <summary>The solution file.</summary>
    public static string Solution => Path.Combine(Root, "SparseDictionary.sln");

    /// <summary>The sample that consumes the packages.</summary>
    public static string LocalFeedSample => Path.Combine(Root, "samples", "LocalFeedSample");

    private static string FindRoot()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "SparseDictionary.sln"))) return dir.FullName;
        }
        throw new DirectoryNotFoundException($"No directory above '{AppContext.BaseDirectory}' holds SparseDictionary.sln.");
    }
}
