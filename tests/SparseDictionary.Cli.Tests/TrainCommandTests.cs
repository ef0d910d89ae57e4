using SparseDictionary.Autoencoders;
using SparseDictionary.Formats;

namespace SparseDictionary.Cli.Tests;

/// <summary><c>sdict train</c> on a cache that <c>sdict collect</c> wrote from the llama2.c fixture.</summary>
public sealed class TrainCommandTests(CliFixture files) : IClassFixture<CliFixture>
{
    [Theory]
    [InlineData("gated")]
    [InlineData("topk")]
    [InlineData("jumprelu")]
    public void Collect_then_train_writes_a_SAELens_folder_with_the_caches_hook(string architecture)
    {
        string caches = files.NewFolder();
        CliRun.Of("collect", "--model", TestPaths.Stories260K, "--corpus", files.Corpus, "--layers", "1", "--max-tokens", "512",
            "--context", "64", "--output", caches).Succeeded();
        string output = Path.Combine(files.NewFolder(), "gated-sae");
        CliRun run = CliRun.Of("train", "--activations", Path.Combine(caches, "blocks.1.hook_resid_post"), "--output", output,
            "--architecture", architecture, "--expansion", "2", "--l1", "0.5", "--k", "8", "--steps", "6", "--batch", "64", "--warmup", "2", "--resampling").Succeeded();

        using ISparseAutoencoder sae = SaeLensFolder.Load(output);
        // stories260K's residual stream is 64 wide.
        Assert.Equal((architecture, 64, 128), (sae.Architecture, sae.DIn, sae.DSae));
        Assert.Equal("blocks.1.hook_resid_post", SaeLensFolder.ReadConfig(output).Metadata.HookName);
        Assert.Contains("6 steps", run.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--l1", "-1", "--l1 must be ≥ 0, not -1.")]
    [InlineData("--lr", "0", "--lr must be positive, not 0.")]
    [InlineData("--architecture", "topq", "--architecture: 'topq' is not one of")]
    public void Bad_values_are_usage_errors_naming_the_option(string option, string value, string message)
    {
        CliRun run = CliRun.Of("train", "--activations", files.NewFolder(), "--output", files.NewFolder(), option, value);
        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Contains(message, run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_cache_is_one_line_naming_it()
    {
        string missing = Path.Combine(files.NewFolder(), "nothing");
        CliRun run = CliRun.Of("train", "--activations", missing, "--output", files.NewFolder());
        Assert.Equal(ExitCodes.NotFound, run.ExitCode);
        Assert.Equal($"error: --activations: the folder '{missing}' does not exist.", Assert.Single(run.ErrorLines));
    }
}
