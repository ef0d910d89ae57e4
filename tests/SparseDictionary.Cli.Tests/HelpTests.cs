namespace SparseDictionary.Cli.Tests;

public sealed class HelpTests
{
    [Fact]
    public void Help_lists_the_commands_and_the_global_options()
    {
        CliRun run = CliRun.Of("--help").Succeeded();
        Assert.Contains("sdict [command] [options]", run.Output);
        foreach (string command in new[] { "collect", "eval", "env" }) Assert.Contains($"  {command} ", run.Output);
        Assert.Contains("--verbose", run.Output);
        Assert.Empty(run.Error);
    }

    [Theory]
    [InlineData("collect", new[] { "--model", "--tokenizer", "--corpus", "--text-field", "--layers", "--max-tokens", "--context", "--batch", "--device", "--dtype", "--output", "--verbose" })]
    [InlineData("eval", new[] { "--sae", "--model", "--corpus", "--layer", "--hook", "--max-tokens", "--json", "--device", "--dtype", "--verbose" })]
    [InlineData("train", new[] { "--activations", "--model", "--corpus", "--layer", "--model-batch", "--batch", "--steps", "--output", "--device",
        "--architecture", "--l1-coefficient", "--k", "--l0-coefficient", "--groups", "--total-steps", "--batch-size", "--learning-rate-shape" })]
    [InlineData("env", new[] { "--verbose" })]
    public void Each_command_has_help_naming_its_options(string command, string[] options)
    {
        CliRun run = CliRun.Of(command, "--help").Succeeded();
        Assert.Contains($"sdict {command} [options]", run.Output);
        foreach (string option in options) Assert.Contains(option, run.Output);
    }

    [Fact]
    public void No_command_gives_two_options_the_same_name()
    {
        // A command built from shared option groups (model, corpus) could otherwise bind one name to two options.
        var context = new CliContext(TextWriter.Null, TextWriter.Null);
        foreach (ICliCommand factory in CommandCatalog.All)
        {
            System.CommandLine.Command command = factory.Build(context);
            string[] names = [.. command.Options.SelectMany(o => o.Aliases.Prepend(o.Name))];
            Assert.True(names.Length == names.Distinct().Count(), $"{command.Name}: {string.Join(", ", names.GroupBy(n => n).Where(g => g.Count() > 1).Select(g => g.Key))}");
        }
    }

    [Fact]
    public void Help_shows_the_accepted_values_of_choice_options()
    {
        string help = CliRun.Of("collect", "--help").Succeeded().Output;
        Assert.Contains("float32|bfloat16|float16", help);
        Assert.Contains("cpu|cuda|cuda:N", help);
        Assert.Contains("auto|text|lines|wikitext|jsonl", help);
    }
}
