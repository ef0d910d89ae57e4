namespace SparseDictionary.Cli.Tests;

/// <summary><c>sdict steer</c> with the exact identity SAE on the llama2.c fixture.</summary>
public sealed class SteerCommandTests(CliFixture files) : IClassFixture<CliFixture>
{
    private static (string[] Left, string[] Right) Columns(string output)
    {
        string[] lines = output.Split('\n').Select(l => l.TrimEnd('\r')).ToArray();
        int header = Array.FindIndex(lines, l => l.StartsWith("baseline", StringComparison.Ordinal));
        Assert.True(header >= 0, output);
        string[] rows = [.. lines.Skip(header + 2).Where(l => l.Length > 0)];
        return ([.. rows.Select(r => r.Split(" | ")[0].TrimEnd())], [.. rows.Select(r => r.Contains(" | ") ? r.Split(" | ")[1] : "")]);
    }

    private string[] Steer(params string[] extra) =>
        ["steer", "--sae", files.IdentitySae, "--model", TestPaths.Stories260K, "--prompt", "Once upon a time", "--max-tokens", "12", .. extra];

    [Fact]
    public void Zero_steering_prints_two_identical_columns_and_a_strong_latent_changes_the_story()
    {
        CliRun same = CliRun.Of(Steer("--latent", "5:0")).Succeeded();
        Assert.Contains("prompt: Once upon a time", same.Output);
        Assert.Contains("adding latent(s) 5 +0 at blocks.2.hook_resid_post", same.Output);
        (string[] left, string[] right) = Columns(same.Output);
        Assert.NotEmpty(string.Concat(left).Trim());
        Assert.Equal(left, right);

        CliRun changed = CliRun.Of(Steer("--latent", "5:40", "--latent", "70:40")).Succeeded();
        (string[] baseline, string[] steered) = Columns(changed.Output);
        Assert.Equal(left, baseline);
        Assert.NotEqual(baseline, steered);

        // Clamp mode with sampling runs and says what it did.
        CliRun clamped = CliRun.Of(Steer("--latent", "5:0", "--mode", "clamp", "--temperature", "0.8", "--seed", "3")).Succeeded();
        Assert.Contains("clamping latent(s) 5 =0", clamped.Output);
    }

    [Theory]
    [InlineData("--latent", "5", "--latent")]
    [InlineData("--latent", "x:1", "--latent")]
    [InlineData("--latent", "500:1", "out of range")]
    [InlineData("--mode", "scale", "--mode")]
    [InlineData("--temperature", "-1", "--temperature")]
    public void Bad_steering_options_are_one_line_and_a_usage_error(string option, string value, string mentioned)
    {
        string[] args = option == "--latent" ? Steer(option, value) : Steer("--latent", "5:1", option, value);
        CliRun run = CliRun.Of(args);
        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Single(run.ErrorLines);
        Assert.Contains(mentioned, run.Error);
    }

    [Fact]
    public void Help_names_the_options()
    {
        string help = CliRun.Of("steer", "--help").Succeeded().Output;
        foreach (string option in new[] { "--sae", "--hook", "--model", "--prompt", "--latent", "--mode", "--max-tokens", "--temperature", "--seed" })
        {
            Assert.Contains(option, help);
        }
        Assert.Contains("add|clamp", help);
        Assert.Contains("  steer ", CliRun.Of("--help").Succeeded().Output);
    }

    [Fact]
    public void A_missing_prompt_is_a_usage_error()
    {
        CliRun run = CliRun.Of("steer", "--sae", files.IdentitySae, "--model", TestPaths.Stories260K, "--latent", "1:2");
        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Single(run.ErrorLines);
        Assert.Contains("--prompt", run.Error);
    }
}
