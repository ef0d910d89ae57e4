namespace SparseDictionary.Cli.Tests;

/// <summary><c>sdict seed</c>: its help and its input errors (the experiment itself is tested in the Experiments tests).</summary>
public sealed class SeedCommandTests(CliFixture files) : IClassFixture<CliFixture>
{
    [Fact]
    public void Help_ListsTheOptions()
    {
        CliRun run = CliRun.Of("seed", "--help").Succeeded();
        foreach (string option in new[] { "--model", "--corpora", "--output", "--steps", "--quick", "--device" })
        {
            Assert.Contains(option, run.Output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_missing_model_folder_is_one_line_naming_it()
    {
        string missing = Path.Combine(files.NewFolder(), "no-model");
        CliRun run = CliRun.Of("seed", "--model", missing, "--output", files.NewFolder());
        Assert.Equal(ExitCodes.NotFound, run.ExitCode);
        string line = Assert.Single(run.ErrorLines);
        Assert.Equal($"error: --model: the folder '{missing}' does not exist.", line);
    }

    [Fact]
    public void Zero_steps_is_a_usage_error()
    {
        CliRun run = CliRun.Of("seed", "--steps", "0");
        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Contains("--steps must be a positive whole number, not 0.", run.Error, StringComparison.Ordinal);
    }
}
