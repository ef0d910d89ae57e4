namespace SparseDictionary.Cli.Tests;

/// <summary>Every user error is one line on standard error, with its exit code and no stack trace unless <c>--verbose</c>.</summary>
public sealed class ErrorTests(CliFixture files) : IClassFixture<CliFixture>
{
    private string Model => TestPaths.Stories260K;

    [Fact]
    public void No_command_is_a_usage_error()
    {
        AssertOneLineError(CliRun.Of(), ExitCodes.Usage, "Required command was not provided.");
    }

    [Fact]
    public void An_unknown_option_is_a_usage_error_that_points_to_the_command_help()
    {
        CliRun run = CliRun.Of("collect", "--bogus", "1");
        AssertOneLineError(run, ExitCodes.Usage, "'--bogus'");
        Assert.EndsWith("See 'sdict collect --help'.", run.ErrorLines[0]);
    }

    [Fact]
    public void A_missing_required_option_is_named()
    {
        AssertOneLineError(CliRun.Of("collect", "--model", Model, "--corpus", files.Corpus, "--layers", "1"), ExitCodes.Usage, "'--output' is required");
    }

    [Theory]
    [InlineData("--batch", "0", "--batch must be a positive whole number, not 0.")]
    [InlineData("--context", "-5", "--context must be a positive whole number, not -5.")]
    [InlineData("--max-tokens", "lots", "--max-tokens: 'lots' is not a whole number.")]
    [InlineData("--max-tokens", "0", "--max-tokens must be a positive whole number, not 0.")]
    [InlineData("--dtype", "int8", "--dtype: 'int8' is not one of float32, bfloat16, float16.")]
    [InlineData("--device", "gpu", "--device: 'gpu' is not one of cpu|cuda|cuda:N.")]
    [InlineData("--format", "csv", "--format: 'csv' is not one of auto, text, lines, wikitext, jsonl.")]
    [InlineData("--layers", "1,x", "--layers: '1,x' is not a list of layers")]
    [InlineData("--layers", "3-1", "--layers: the range '3-1' is empty")]
    [InlineData("--layers", "1,1", "--layers: layer 1 is listed twice")]
    public void A_bad_option_value_is_a_usage_error_naming_the_option(string option, string value, string message)
    {
        string[] args = ["collect", "--model", Model, "--corpus", files.Corpus, "--layers", "1", "--output", files.NewFolder()];
        int at = Array.IndexOf(args, option);
        if (at >= 0) args[at + 1] = value;
        else args = [.. args, option, value];
        AssertOneLineError(CliRun.Of(args), ExitCodes.Usage, message);
    }

    [Fact]
    public void A_missing_model_file_is_not_found()
    {
        string missing = Path.Combine(files.Folder, "no-such-model.bin");
        AssertOneLineError(Collect(missing, files.Corpus, "1"), ExitCodes.NotFound, $"--model: model '{missing}' does not exist.");
    }

    [Fact]
    public void A_missing_corpus_is_not_found()
    {
        string missing = Path.Combine(files.Folder, "no-such-corpus.txt");
        AssertOneLineError(Collect(Model, missing, "1"), ExitCodes.NotFound, $"--corpus: corpus '{missing}' does not exist.");
    }

    [Fact]
    public void A_missing_tokenizer_is_not_found()
    {
        string missing = Path.Combine(files.Folder, "tok.bin");
        AssertOneLineError(CliRun.Of("collect", "--model", Model, "--tokenizer", missing, "--corpus", files.Corpus, "--layers", "1", "--output", files.NewFolder()),
            ExitCodes.NotFound, $"--tokenizer: tokenizer file '{missing}' does not exist.");
    }

    [Fact]
    public void A_hugging_face_folder_without_a_tokenizer_asks_for_one()
    {
        AssertOneLineError(Collect(TestPaths.Stories260KHf, files.Corpus, "1"), ExitCodes.NotFound, "pass --tokenizer");
    }

    [Fact]
    public void A_folder_that_is_not_a_model_is_invalid_input()
    {
        AssertOneLineError(Collect(TestPaths.Llama2c, files.Corpus, "1"), ExitCodes.InvalidInput, "has no config.json");
    }

    [Fact]
    public void A_file_that_is_not_a_checkpoint_is_invalid_input()
    {
        // The corpus is text, not a llama2.c header: the loader's ModelFormatException names the file.
        CliRun run = Collect(files.Corpus, files.Corpus, "1");
        AssertOneLineError(run, ExitCodes.InvalidInput, files.Corpus);
    }

    [Fact]
    public void A_layer_past_the_model_is_incompatible()
    {
        AssertOneLineError(Collect(Model, files.Corpus, "1,5"), ExitCodes.Incompatible,
            "--layers: layer 5 is out of range; the model 'stories260K.bin' has 5 layers (0 to 4).");
    }

    [Fact]
    public void A_context_longer_than_the_model_accepts_is_incompatible()
    {
        AssertOneLineError(CliRun.Of("collect", "--model", Model, "--corpus", files.Corpus, "--layers", "1", "--output", files.NewFolder(), "--context", "513"),
            ExitCodes.Incompatible, "--context: 513 tokens is longer than the model 'stories260K.bin' accepts (512).");
    }

    [Fact]
    public void A_jsonl_corpus_without_the_text_field_is_invalid_input_naming_file_and_line()
    {
        string corpus = Path.Combine(files.NewFolder(), "pages.jsonl");
        File.WriteAllLines(corpus, ["{\"id\": \"a\", \"text\": \"Once upon a time\"}", "{\"id\": \"b\", \"lines\": \"no text here\"}"]);
        CliRun run = Collect(Model, corpus, "1");
        AssertOneLineError(run, ExitCodes.InvalidInput, $"Invalid corpus file '{corpus}', line 2");
        Assert.Contains("text", run.ErrorLines[0]);
    }

    [Fact]
    public void A_text_field_for_a_plain_text_corpus_is_a_usage_error()
    {
        AssertOneLineError(CliRun.Of("collect", "--model", Model, "--corpus", files.Corpus, "--layers", "1", "--output", files.NewFolder(), "--text-field", "body"),
            ExitCodes.Usage, "--text-field applies to JSONL corpora only");
    }

    [Fact]
    public void Cuda_on_a_machine_without_it_is_an_environment_error()
    {
        if (torch.cuda.is_available()) return; // Only meaningful where CUDA is absent, as with the CPU LibTorch we ship.
        AssertOneLineError(CliRun.Of("collect", "--model", Model, "--corpus", files.Corpus, "--layers", "1", "--output", files.NewFolder(), "--device", "cuda:1"),
            ExitCodes.Environment, "--device cuda:1: CUDA is not available");
    }

    [Fact]
    public void A_missing_sae_folder_is_not_found()
    {
        string missing = Path.Combine(files.Folder, "no-such-sae");
        AssertOneLineError(Eval(missing), ExitCodes.NotFound, $"--sae: SAE folder '{missing}' does not exist.");
    }

    [Fact]
    public void An_sae_folder_with_a_broken_config_is_invalid_input()
    {
        string folder = files.NewFolder();
        File.WriteAllText(Path.Combine(folder, "cfg.json"), "{ \"architecture\": \"standard\", ");
        CliRun run = Eval(folder);
        AssertOneLineError(run, ExitCodes.InvalidInput, "cfg.json");
    }

    [Fact]
    public void An_sae_narrower_than_the_model_is_incompatible()
    {
        AssertOneLineError(Eval(files.NarrowSae), ExitCodes.Incompatible,
            "the SAE's d_in is 32 (cfg.json), but the model 'stories260K.bin' is 64 wide at blocks.2.hook_resid_post.");
    }

    [Fact]
    public void An_sae_hook_past_the_model_is_incompatible()
    {
        AssertOneLineError(Eval(files.IdentitySae, "--layer", "9"), ExitCodes.Incompatible, "--layer: layer 9 is out of range");
    }

    [Fact]
    public void An_sae_without_a_hook_name_needs_a_layer()
    {
        AssertOneLineError(Eval(files.NoHookSae), ExitCodes.Usage, "names no hook point (metadata.hook_name); pass --layer or --hook.");
    }

    [Fact]
    public void Layer_and_hook_together_are_a_usage_error()
    {
        AssertOneLineError(Eval(files.IdentitySae, "--layer", "1", "--hook", "blocks.1.hook_mlp_out"), ExitCodes.Usage, "Give --layer or --hook, not both.");
    }

    [Fact]
    public void A_bad_layer_number_is_a_usage_error()
    {
        AssertOneLineError(Eval(files.IdentitySae, "--layer", "-1"), ExitCodes.Usage, "--layer: '-1' is not a whole number of zero or more.");
    }

    [Fact]
    public void A_bad_hook_name_is_a_usage_error()
    {
        AssertOneLineError(Eval(files.IdentitySae, "--hook", "blocks.1.hook_z"), ExitCodes.Usage, "--hook: 'blocks.1.hook_z' is not a hook point");
    }

    [Fact]
    public void Verbose_adds_the_stack_trace_after_the_line()
    {
        string missing = Path.Combine(files.Folder, "no-such-model.bin");
        CliRun quiet = Collect(missing, files.Corpus, "1");
        CliRun verbose = CliRun.Of("collect", "--model", missing, "--corpus", files.Corpus, "--layers", "1", "--output", files.NewFolder(), "--verbose");
        Assert.Equal(ExitCodes.NotFound, verbose.ExitCode);
        Assert.Equal(quiet.ErrorLines[0], verbose.ErrorLines[0]);
        Assert.Contains("CliException", verbose.Error);
        Assert.Contains(" at SparseDictionary.Cli.", verbose.Error);
    }

    private CliRun Collect(string model, string corpus, string layers) =>
        CliRun.Of("collect", "--model", model, "--corpus", corpus, "--layers", layers, "--output", files.NewFolder());

    private CliRun Eval(string sae, params string[] extra) =>
        CliRun.Of(["eval", "--sae", sae, "--model", Model, "--corpus", files.Corpus, "--max-tokens", "64", .. extra]);

    private static void AssertOneLineError(CliRun run, int exitCode, string message)
    {
        Assert.True(run.ExitCode == exitCode, $"exit code {run.ExitCode}, expected {exitCode}; stderr: {run.Error}");
        // One line: a stack trace would add more.
        string line = Assert.Single(run.ErrorLines);
        Assert.StartsWith("error: ", line);
        Assert.Contains(message, line);
        Assert.Empty(run.Output);
    }
}
