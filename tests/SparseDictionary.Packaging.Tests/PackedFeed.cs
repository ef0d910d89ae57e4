using System.Globalization;
using System.Reflection;

namespace SparseDictionary.Packaging.Tests;

/// <summary>
/// Packs the solution once for all packaging tests: <c>dotnet pack</c> of the projects' build outputs into a temporary
/// folder feed, under a version no cache can hold (so nothing stale is restored), plus an empty NuGet packages folder for
/// the restores that use the feed. Everything is deleted afterwards.
/// </summary>
public sealed class PackedFeed : IDisposable
{
    /// <summary>The packages expected in the feed, at least.</summary>
    public static readonly string[] ExpectedPackages =
    [
        "SparseDictionary.SafeTensors", "SparseDictionary", "SparseDictionary.Llama", "SparseDictionary.Bridges", "SparseDictionary.Plots", "SparseDictionary.Experiments",
        "SparseDictionary.Cli",
    ];

    /// <summary>Packs the solution.</summary>
    public PackedFeed()
    {
        Root = Path.Combine(Path.GetTempPath(), $"sd-packaging-{Guid.NewGuid():N}");
        Feed = Path.Combine(Root, "feed");
        Version = string.Create(CultureInfo.InvariantCulture, $"0.0.0-packtest.{DateTime.UtcNow:yyyyMMddHHmmss}");
        Directory.CreateDirectory(Feed);
        string configuration = typeof(PackedFeed).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == "Configuration").Value ?? "Release";
        ProcessRunner.Run(ProcessRunner.Dotnet,
            ["pack", RepositoryPaths.Solution, "-c", configuration, "--no-build", "-o", Feed, $"-p:Version={Version}", "-m:1", "--disable-build-servers"],
            RepositoryPaths.Root, new Dictionary<string, string?>(), TimeSpan.FromMinutes(8)).EnsureSuccess();
    }

    /// <summary>Gets the temporary folder holding everything the tests make.</summary>
    public string Root { get; }

    /// <summary>Gets the folder feed the packages were written to.</summary>
    public string Feed { get; }

    /// <summary>Gets the version every package was packed with.</summary>
    public string Version { get; }

    /// <summary>Gets the path of <paramref name="id"/>'s package, or of its symbols package.</summary>
    public string PackagePath(string id, bool symbols = false) => Path.Combine(Feed, $"{id}.{Version}.{(symbols ? "snupkg" : "nupkg")}");

    /// <summary>Gets a new empty folder under <see cref="Root"/>.</summary>
    public string NewFolder(string name)
    {
        string path = Path.Combine(Root, $"{name}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(path);
        return path;
    }

    /// <summary>Gets the user's NuGet packages folder, used as a read-only source of third-party packages.</summary>
    public static string GlobalPackagesFolder =>
        Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } configured
            ? configured
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");

    /// <summary>Deletes the feed and everything restored from it.</summary>
    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temporary folder is not worth failing the run for.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}

/// <summary>The tests that share one <see cref="PackedFeed"/>.</summary>
[CollectionDefinition(Name)]
public sealed class PackedFeedCollection : ICollectionFixture<PackedFeed>
{
    /// <summary>The collection's name.</summary>
    public const string Name = "Packed feed";
}
