using System.Globalization;
using System.Text.RegularExpressions;

namespace SparseDictionary.Packaging.Tests;

/// <summary>
/// samples/LocalFeedSample restored by version from the packed feed into an empty NuGet cache, built and run: what we
/// publish is what we test. Third-party packages come from the user's NuGet cache or nuget.org.
/// </summary>
[Collection(PackedFeedCollection.Name)]
[Trait("Category", "Packaging")]
public sealed class LocalFeedSampleTests(PackedFeed feed)
{
    [Fact]
    public void The_sample_restores_the_packages_builds_and_trains_saves_and_loads_an_sae()
    {
        // A copy outside the repository, so nothing but the packages reaches it.
        string project = feed.NewFolder("sample");
        foreach (string file in Directory.GetFiles(RepositoryPaths.LocalFeedSample))
        {
            File.Copy(file, Path.Combine(project, Path.GetFileName(file)));
        }
        string packages = feed.NewFolder("nuget-packages");
        var environment = new Dictionary<string, string?> { ["NUGET_PACKAGES"] = packages };
        string[] properties = [$"-p:SparseDictionaryVersion={feed.Version}"];
        string[] single = ["-m:1", "--disable-build-servers"];

        ProcessRunner.Run(ProcessRunner.Dotnet,
            ["restore", "--source", feed.Feed, "--source", PackedFeed.GlobalPackagesFolder, "--source", "https://api.nuget.org/v3/index.json", .. properties, .. single],
            project, environment, TimeSpan.FromMinutes(5)).EnsureSuccess();
        // The packages came from the feed at the packed version, not from any cache.
        Assert.True(Directory.Exists(Path.Combine(packages, "sparsedictionary", feed.Version)));
        foreach (string id in new[] { "sparsedictionary.llama", "sparsedictionary.bridges", "sparsedictionary.safetensors" })
        {
            Assert.True(Directory.Exists(Path.Combine(packages, id, feed.Version)), id);
        }

        ProcessRunner.Run(ProcessRunner.Dotnet, ["build", "-c", "Release", "--no-restore", .. properties, .. single],
            project, environment, TimeSpan.FromMinutes(5)).EnsureSuccess();
        string output = ProcessRunner.Run(ProcessRunner.Dotnet, ["run", "-c", "Release", "--no-build", .. properties],
            project, environment, TimeSpan.FromMinutes(3)).EnsureSuccess().Output;

        Assert.Matches(@"activations: \d+ tokens x 32 at blocks\.1\.hook_resid_post", output);
        Assert.Contains("trained: 20 steps,", output);
        Assert.Contains("saved: cfg.json, sae_weights.safetensors", output);
        Assert.Contains("loaded: standard d_in=32 d_sae=128 hook=blocks.1.hook_resid_post", output);
        Match metrics = Regex.Match(output, @"explained_variance=(?<ev>-?[0-9.]+) sparsity/l0=(?<l0>[0-9.]+)");
        Assert.True(metrics.Success, output);
        // Explained variance is at most 1 and L0 lies between 0 and d_sae; 20 steps on 512 tokens fit something.
        double explained = double.Parse(metrics.Groups["ev"].Value, CultureInfo.InvariantCulture);
        double l0 = double.Parse(metrics.Groups["l0"].Value, CultureInfo.InvariantCulture);
        Assert.InRange(explained, 0.0, 1.0);
        Assert.InRange(l0, 0.0, 128.0);
    }
}
