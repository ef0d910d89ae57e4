using System.Text.Json;

namespace SparseDictionary.Cli.Tests;

/// <summary><c>sdict eval</c> of SAEs saved with SaeLensFolder, on the llama2.c fixture.</summary>
public sealed class EvalCommandTests(CliFixture files) : IClassFixture<CliFixture>
{
    [Fact]
    public void An_exact_sae_recovers_all_the_loss_and_explains_all_the_variance()
    {
        string json = Path.Combine(files.NewFolder(), "metrics.json");
        CliRun run = CliRun.Of("eval", "--sae", files.IdentitySae, "--model", TestPaths.Stories260K, "--corpus", files.Corpus,
            "--max-tokens", "256", "--context", "64", "--json", json).Succeeded();

        using JsonDocument document = JsonDocument.Parse(File.ReadAllText(json));
        JsonElement root = document.RootElement;
        Assert.Equal(CliFixture.HookName, root.GetProperty("hook_name").GetString());
        Assert.Equal(256, root.GetProperty("reconstruction_tokens").GetInt64());
        JsonElement metrics = root.GetProperty("metrics");
        double Metric(string name) => metrics.GetProperty(name).GetDouble();

        // relu(x) − relu(−x) = x: the reconstruction is exact, so splicing it changes nothing.
        Assert.Equal(1, Metric("reconstruction_quality/explained_variance"), 5);
        Assert.Equal(0, Metric("reconstruction_quality/mse"), 8);
        Assert.Equal(1, Metric("model_performance_preservation/ce_loss_score"), 4);
        Assert.Equal(Metric("model_performance_preservation/ce_loss_without_sae"), Metric("model_performance_preservation/ce_loss_with_sae"), 4);
        Assert.Equal(0, Metric("model_behavior_preservation/kl_div_with_sae"), 5);
        // Zero-ablating the residual stream of a trained model costs a lot of loss.
        Assert.True(Metric("model_performance_preservation/ce_loss_with_ablation") > Metric("model_performance_preservation/ce_loss_without_sae") + 0.5);
        // Exactly one of the pair (x_i, −x_i) is positive for each non-zero dimension: 64 latents per token.
        Assert.Equal(64, Metric("sparsity/l0"), 6);

        // 256 collected tokens need ⌈256 / 63⌉ = 5 windows of 64 (each starts with BOS); 5 suffice, as the corpus has only 3
        // document separators. Every window scores its 63 next-token predictions.
        Assert.Equal(5 * 63, root.GetProperty("scored_tokens").GetInt64());
        Assert.Contains($"at {CliFixture.HookName}: 256 tokens, 315 scored next-token predictions", run.Output);
        Assert.Contains("model_performance_preservation/ce_loss_score", run.Output);
        Assert.Contains("sparsity/l0", run.Output);
    }

    [Fact]
    public void The_layer_option_overrides_the_hook_in_the_config()
    {
        string json = Path.Combine(files.NewFolder(), "metrics.json");
        CliRun.Of("eval", "--sae", files.NoHookSae, "--model", TestPaths.Stories260K, "--corpus", files.Corpus,
            "--layer", "4", "--max-tokens", "64", "--context", "32", "--json", json).Succeeded();
        using JsonDocument document = JsonDocument.Parse(File.ReadAllText(json));
        Assert.Equal("blocks.4.hook_resid_post", document.RootElement.GetProperty("hook_name").GetString());
        Assert.Equal(64, document.RootElement.GetProperty("reconstruction_tokens").GetInt64());
    }
}
