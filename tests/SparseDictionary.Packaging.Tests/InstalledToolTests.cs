namespace SparseDictionary.Packaging.Tests;

/// <summary>The sdict tool installed from the packed feed into a tool folder runs, and loads LibTorch from its own folder.</summary>
[Collection(PackedFeedCollection.Name)]
[Trait("Category", "Packaging")]
public sealed class InstalledToolTests(PackedFeed feed)
{
    [Fact]
    public void The_installed_tool_shows_help_and_computes_with_libtorch()
    {
        string tools = feed.NewFolder("tools");
        string packages = feed.NewFolder("nuget-packages");
        var environment = new Dictionary<string, string?> { ["NUGET_PACKAGES"] = packages };
        ProcessRunner.Run(ProcessRunner.Dotnet,
            ["tool", "install", "SparseDictionary.Cli", "--version", feed.Version, "--tool-path", tools, "--source", feed.Feed],
            feed.Root, environment, TimeSpan.FromMinutes(5)).EnsureSuccess();
        string sdict = Path.Combine(tools, OperatingSystem.IsWindows() ? "sdict.exe" : "sdict");

        // NUGET_PACKAGES points at a folder without TorchSharp, so TorchSharp's fallback (copying natives from the NuGet
        // cache) cannot hide a tool whose own natives do not load.
        string emptyCache = feed.NewFolder("empty-cache");
        var run = new Dictionary<string, string?> { ["NUGET_PACKAGES"] = emptyCache };
        string help = ProcessRunner.Run(sdict, ["--help"], feed.Root, run, TimeSpan.FromMinutes(1)).EnsureSuccess().Output;
        Assert.Contains("Usage:", help);
        Assert.Contains("sdict [command] [options]", help);

        string env = ProcessRunner.Run(sdict, ["env"], feed.Root, run, TimeSpan.FromMinutes(2)).EnsureSuccess().Output;
        Assert.Contains("LibTorch       loaded", env);
        Assert.DoesNotContain("Consolidating", env);
        Assert.Empty(Directory.GetFileSystemEntries(emptyCache));
    }
}
