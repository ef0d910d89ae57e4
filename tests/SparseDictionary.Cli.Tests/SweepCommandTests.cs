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
            { "base": { "steps": 5, "batch_size": 64, "warmup_steps": 1, "expansion_factor": 2 },
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
