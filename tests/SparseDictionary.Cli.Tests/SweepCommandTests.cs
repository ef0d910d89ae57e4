namespace SparseDictionary.Cli.Tests;

/// <summary><c>sdict sweep</c> on a cache that <c>sdict collect</c> wrote from the llama2.c fixture.</summary>
public sealed class SweepCommandTests(CliFixture files) : IClassFixture<CliFixture>
{
    [Fact]
    public void Every_grid_point_is_trained_scored_and_saved()
    {
        string caches = files.NewFolder();
        CliRun.Of("collect", "--model", TestPaths.Stories260K, "--corpus", files.Corpus, "--layers", "2", "--max-tokens", "512",
            "--context", "64", "--output", caches).Succeeded();
        string sweep = Path.Combine(files.NewFolder(), "sweep.json");
        File.WriteAllText(sweep, """
            { "base": { "total_steps": 5, "batch_size": 64, "warmup_steps": 1, "expansion_factor": 2 },
              "grid": { "architecture": ["standard", "gated"], "l1_coefficient": [0.1, 1] } }
            """);
        string output = files.NewFolder();
        CliRun run = CliRun.Of("sweep", "--sweep", sweep, "--activations", Path.Combine(caches, "blocks.2.hook_resid_post"),
            "--eval-tokens", "256", "--output", output).Succeeded();

        string[] csv = File.ReadAllLines(Path.Combine(output, "results.csv"));
        Assert.Equal(5, csv.Length); // header + 4 runs
        foreach (string name in new[] { "architecture=standard_l1_coefficient=0.1", "architecture=gated_l1_coefficient=1" })
        {
            Assert.True(File.Exists(Path.Combine(output, name, "cfg.json")), name);
            Assert.Contains(name, run.Output, StringComparison.Ordinal);
        }
        Assert.Contains("in-sample", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void With_a_model_and_corpus_every_run_gets_the_CE_loss_recovered_that_eval_measures_on_its_folder()
    {
        string caches = files.NewFolder();
        CliRun.Of("collect", "--model", TestPaths.Stories260K, "--corpus", files.Corpus, "--layers", "1", "--max-tokens", "512",
            "--context", "64", "--output", caches).Succeeded();
        string sweep = Path.Combine(files.NewFolder(), "sweep.json");
        File.WriteAllText(sweep, """
            { "base": { "total_steps": 5, "batch_size": 64, "warmup_steps": 1, "expansion_factor": 2 },
              "grid": { "l1_coefficient": [0.1, 3] } }
            """);
        string output = files.NewFolder();
        CliRun run = CliRun.Of("sweep", "--sweep", sweep, "--activations", Path.Combine(caches, "blocks.1.hook_resid_post"),
            "--eval-tokens", "256", "--output", output, "--model", TestPaths.Stories260K, "--corpus", files.Corpus, "--max-tokens", "300").Succeeded();
        Assert.Contains("CE rec.", run.Output, StringComparison.Ordinal);

        string[] csv = File.ReadAllLines(Path.Combine(output, "results.csv"));
        int score = Array.IndexOf(csv[0].Split(','), "ce_loss_score");
        Assert.True(score >= 0, csv[0]);
        foreach ((string line, string name) in csv.Skip(1).Zip(new[] { "l1_coefficient=0.1", "l1_coefficient=3" }))
        {
            // The same SAE, saved and scored by 'eval' on the same text and budget, must get the same number.
            string json = Path.Combine(files.NewFolder(), "metrics.json");
            CliRun.Of("eval", "--sae", Path.Combine(output, name), "--model", TestPaths.Stories260K, "--corpus", files.Corpus,
                "--max-tokens", "300", "--json", json).Succeeded();
            double expected = System.Text.Json.JsonDocument.Parse(File.ReadAllText(json)).RootElement
                .GetProperty("metrics").GetProperty("model_performance_preservation/ce_loss_score").GetDouble();
            Assert.Equal(expected, double.Parse(line.Split(',')[score], System.Globalization.CultureInfo.InvariantCulture), 4);
        }
    }

    [Fact]
    public void A_model_without_a_corpus_is_a_usage_error()
    {
        CliRun run = CliRun.Of("sweep", "--sweep", "s.json", "--activations", files.NewFolder(), "--output", files.NewFolder(), "--model", TestPaths.Stories260K);
        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Contains("CE loss recovered needs both --model and --corpus", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_bad_sweep_file_is_one_line_naming_it()
    {
        string sweep = Path.Combine(files.NewFolder(), "sweep.json");
        File.WriteAllText(sweep, """{ "grid": { "lambda": [1] } }""");
        CliRun run = CliRun.Of("sweep", "--sweep", sweep, "--activations", files.NewFolder(), "--output", files.NewFolder());
        Assert.Equal(ExitCodes.InvalidInput, run.ExitCode);
        string line = Assert.Single(run.ErrorLines);
        Assert.Contains("grid field 'lambda' is not a run setting", line, StringComparison.Ordinal);
    }
}
