using SparseDictionary.Autoencoders;
using SparseDictionary.Formats;

namespace SparseDictionary.Cli.Tests;

/// <summary><c>sdict train</c> on a cache that <c>sdict collect</c> wrote from the llama2.c fixture.</summary>
public sealed class TrainCommandTests(CliFixture files) : IClassFixture<CliFixture>
{
    [Theory]
    [InlineData("gated", "--l1", "0.5")]
    [InlineData("topk", "--k", "8")]
    [InlineData("jumprelu", "--l0-coefficient", "0.5")]
    public void Collect_then_train_writes_a_SAELens_folder_with_the_caches_hook(string architecture, string sparsityOption, string sparsity)
    {
        string cache = Layer1Cache(512);
        string output = Path.Combine(files.NewFolder(), "gated-sae");
        CliRun run = CliRun.Of("train", "--activations", cache, "--output", output,
            "--architecture", architecture, "--expansion", "2", sparsityOption, sparsity, "--steps", "6", "--batch", "64", "--warmup", "2", "--resampling").Succeeded();

        using ISparseAutoencoder sae = SaeLensFolder.Load(output);
        // stories260K's residual stream is 64 wide.
        Assert.Equal((architecture, 64, 128), (sae.Architecture, sae.DIn, sae.DSae));
        Assert.Equal("blocks.1.hook_resid_post", SaeLensFolder.ReadConfig(output).Metadata.HookName);
        Assert.Contains("6 steps", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Train_from_a_model_and_corpus_reads_the_layer_live_and_records_model_and_hook()
    {
        string output = Path.Combine(files.NewFolder(), "live-sae");
        CliRun run = CliRun.Of("train", "--model", TestPaths.Stories260K, "--corpus", files.Corpus, "--layer", "2", "--context", "64",
            "--output", output, "--expansion", "2", "--steps", "5", "--batch", "32", "--warmup", "1").Succeeded();

        using ISparseAutoencoder sae = SaeLensFolder.Load(output);
        Assert.Equal(("standard", 64, 128), (sae.Architecture, sae.DIn, sae.DSae));
        SaeLensConfig config = SaeLensFolder.ReadConfig(output);
        Assert.Equal(("blocks.2.hook_resid_post", "stories260K.bin", 64), (config.Metadata.HookName, config.Metadata.ModelName, config.Metadata.ContextSize));
        Assert.Contains("5 steps", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Train_from_a_model_stops_when_the_corpus_runs_out_and_says_so()
    {
        // 96 collected tokens feed 3 steps of 32 (the trainer holds the first batches back for its initialisation).
        string output = Path.Combine(files.NewFolder(), "short-sae");
        CliRun run = CliRun.Of("train", "--model", TestPaths.Stories260K, "--corpus", files.Corpus, "--layer", "0", "--context", "64",
            "--max-tokens", "96", "--output", output, "--expansion", "2", "--steps", "50", "--batch", "32", "--warmup", "1").Succeeded();

        Assert.Contains("3 steps", run.Output, StringComparison.Ordinal);
        Assert.Contains("The corpus ran out after 3 of 50 steps", run.Error, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(output, "cfg.json")));
    }

    [Theory]
    [InlineData(new[] { "--output", "o" }, "Give --activations (a cache from 'sdict collect'), or --model with --corpus and --layer; not both.")]
    [InlineData(new[] { "--output", "o", "--activations", "a", "--model", "m" }, "Give --activations (a cache from 'sdict collect'), or --model with --corpus and --layer; not both.")]
    [InlineData(new[] { "--output", "o", "--model", "m", "--corpus", "c" }, "--model needs --corpus and --layer.")]
    public void Inputs_must_be_a_cache_or_a_model_with_corpus_and_layer(string[] args, string message)
    {
        CliRun run = CliRun.Of(["train", .. args]);
        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Contains(message, run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_layer_past_the_model_is_one_line_naming_it()
    {
        CliRun run = CliRun.Of("train", "--model", TestPaths.Stories260K, "--corpus", files.Corpus, "--layer", "5", "--output", files.NewFolder());
        Assert.Equal(ExitCodes.Incompatible, run.ExitCode);
        Assert.Equal("error: --layer: layer 5 is out of range; the model 'stories260K.bin' has 5 layers (0 to 4).", Assert.Single(run.ErrorLines));
    }

    [Theory]
    [InlineData("--l1", "-1", "error: --l1-coefficient: l1_coefficient must be finite and ≥ 0, not -1 (standard architecture).")]
    [InlineData("--lr", "0", "error: --learning-rate: learning_rate must be finite and positive.")]
    [InlineData("--architecture", "topq", "error: --architecture: 'topq' is not one of standard, gated, topk, batchtopk, jumprelu, matryoshka_batchtopk, matryoshka-batchtopk.")]
    [InlineData("--k", "16", "error: --k: 'k' is not a parameter of the standard architecture; its parameters are l1_coefficient.")]
    [InlineData("--schedule", "cosine-restarts",
        "error: --learning-rate-shape: learning_rate_shape must be one of constant, cosine_annealing, cosine_with_hard_restarts, not \"cosine-restarts\".")]
    public void Bad_values_are_usage_errors_naming_the_option(string option, string value, string message)
    {
        CliRun run = CliRun.Of("train", "--activations", files.NewFolder(), "--output", files.NewFolder(), option, value);
        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.StartsWith(message, Assert.Single(run.ErrorLines), StringComparison.Ordinal); // parse errors add "See 'sdict train --help'."
    }

    [Fact]
    public void Matryoshka_trains_from_the_command_line_with_its_groups_and_saves_as_SAELens_does()
    {
        string cache = Layer1Cache(512);
        string output = Path.Combine(files.NewFolder(), "matryoshka");
        CliRun.Of("train", "--activations", cache, "--output", output,
            "--architecture", "matryoshka-batchtopk", "--groups", "16,32,80", "--k", "8", "--expansion", "2", "--steps", "6", "--batch", "64", "--warmup", "2").Succeeded();

        // SAELens saves a trained Matryoshka BatchTopK SAE as a JumpReLU one with its learned global threshold.
        Assert.Equal(JumpReluArchitecture.ArchitectureName, SaeLensFolder.ReadConfig(output).Architecture);
        using ISparseAutoencoder sae = SaeLensFolder.Load(output);
        Assert.Equal((64, 128), (sae.DIn, sae.DSae));

        CliRun wrong = CliRun.Of("train", "--activations", cache, "--output", files.NewFolder(),
            "--architecture", "matryoshka-batchtopk", "--groups", "16,32", "--expansion", "2", "--steps", "6", "--batch", "64");
        Assert.Equal(ExitCodes.Usage, wrong.ExitCode);
        Assert.Contains("Groups must sum to d_sae = 128; they sum to 48.", wrong.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void An_existing_SAE_folder_is_not_replaced_without_force()
    {
        string cache = Layer1Cache(256);
        string output = Path.Combine(files.NewFolder(), "sae");
        string[] train = ["train", "--activations", cache, "--output", output, "--expansion", "2", "--steps", "3", "--batch", "64", "--warmup", "1"];
        CliRun.Of(train).Succeeded();
        byte[] first = File.ReadAllBytes(Path.Combine(output, "sae_weights.safetensors"));

        CliRun again = CliRun.Of([.. train, "--seed", "7"]);
        Assert.Equal(ExitCodes.Usage, again.ExitCode);
        Assert.Equal($"error: --output: '{output}' already holds an SAE; give --force to replace it, or choose another folder.", Assert.Single(again.ErrorLines));
        Assert.Equal(first, File.ReadAllBytes(Path.Combine(output, "sae_weights.safetensors")));

        CliRun.Of([.. train, "--seed", "7", "--force"]).Succeeded();
        Assert.NotEqual(first, File.ReadAllBytes(Path.Combine(output, "sae_weights.safetensors")));
    }

    [Fact]
    public void A_missing_cache_is_one_line_naming_it()
    {
        string missing = Path.Combine(files.NewFolder(), "nothing");
        CliRun run = CliRun.Of("train", "--activations", missing, "--output", files.NewFolder());
        Assert.Equal(ExitCodes.NotFound, run.ExitCode);
        Assert.Equal($"error: --activations: the folder '{missing}' does not exist.", Assert.Single(run.ErrorLines));
    }

    // An activation cache of the fixture's layer 1, written by 'sdict collect'.
    private string Layer1Cache(int maxTokens)
    {
        string caches = files.NewFolder();
        CliRun.Of("collect", "--model", TestPaths.Stories260K, "--corpus", files.Corpus, "--layers", "1", "--max-tokens", maxTokens.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--context", "64", "--output", caches).Succeeded();
        return Path.Combine(caches, "blocks.1.hook_resid_post");
    }
}
