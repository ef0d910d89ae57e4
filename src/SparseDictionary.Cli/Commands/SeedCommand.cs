using System.CommandLine;
using SparseDictionary.Cli.Inputs;
using SparseDictionary.Experiments.Results;
using SparseDictionary.Experiments.Seed;

namespace SparseDictionary.Cli.Commands;

/// <summary>
/// <c>sdict seed</c>: the seed experiment (the original note's experiments: standard vs Gated SAEs, resampling, LR
/// schedule, λ sweeps at three layers) on a model and WikiText-2; prints the table and writes results, plots and SAEs.
/// </summary>
internal sealed class SeedCommand : ICliCommand
{
    private readonly Option<string?> _model = new("--model", "-m")
    {
        Description = "The model folder (Hugging Face layout). Default: models/wikitext2-llama in the repository around the current folder.",
        HelpName = "folder",
    };

    private readonly Option<string?> _corpora = new("--corpora")
    {
        Description = "The folder with wikitext2-test.txt and wikitext2-valid.txt. Default: data/corpora in the repository.",
        HelpName = "folder",
    };

    private readonly Option<string> _output = new("--output", "-o")
    {
        Description = "Where results.json, results.csv, plots/, saes/ and browse/ go.",
        DefaultValueFactory = _ => Path.Combine("results", "seed"),
        HelpName = "folder",
    };

    private readonly Option<int> _steps = OptionFactory.PositiveInt("--steps", "Optimiser steps per SAE.", new SeedExperimentOptions
    {
        ModelFolder = "-", CorporaFolder = "-", OutputFolder = "-",
    }.Steps);

    private readonly Option<bool> _quick = new("--quick") { Description = "A shrunk run (few tokens and steps) that checks the pipeline in minutes." };

    private readonly ModelOptions _device = new();

    /// <inheritdoc />
    public Command Build(CliContext context)
    {
        var command = new Command("seed", "Run the seed experiment: standard vs Gated SAEs at three layers, with λ sweeps and ablations.");
        command.Options.Add(_model);
        command.Options.Add(_corpora);
        command.Options.Add(_output);
        command.Options.Add(_steps);
        command.Options.Add(_quick);
        command.Options.Add(_device.Device);
        command.SetAction(parsed => Run(parsed, context));
        return command;
    }

    private int Run(ParseResult parsed, CliContext context)
    {
        string? root = RepositoryRoot();
        string model = parsed.GetValue(_model) ?? InRepository(root, "models", "wikitext2-llama", "--model");
        string corpora = parsed.GetValue(_corpora) ?? InRepository(root, "data", "corpora", "--corpora");
        if (!Directory.Exists(model)) throw new CliException(ExitCodes.NotFound, $"--model: the folder '{model}' does not exist.");
        if (!Directory.Exists(corpora)) throw new CliException(ExitCodes.NotFound, $"--corpora: the folder '{corpora}' does not exist.");
        string output = Path.GetFullPath(parsed.GetRequiredValue(_output));
        var options = new SeedExperimentOptions
        {
            ModelFolder = model, CorporaFolder = corpora, OutputFolder = output,
            Steps = parsed.GetValue(_steps), Device = parsed.GetRequiredValue(_device.Device).ToDevice(),
        };
        if (parsed.GetValue(_quick)) options = options.Quick();
        context.Note($"Seed experiment: {model}, {SeedExperimentPlan.RunsFor(options).Count} SAEs per layer, output {output}");
        SeedExperimentResult result = new SeedExperiment(options).Run(new Progress(context), context.Cancellation);
        context.Output.WriteLine(ResultsWriter.Table(result));
        ResultsWriter.Write(result, output);
        IReadOnlyList<string> plots = ResultPlots.Write(result, Path.Combine(output, "plots"));
        context.Note($"Wrote {ResultsWriter.JsonFileName}, {ResultsWriter.CsvFileName}, {plots.Count} plots, the SAEs and {result.Browsers?.Count ?? 0} feature browsers (browse/) to {output} ({result.TotalSeconds / 60:F1} min).");
        return ExitCodes.Success;
    }

    private static string InRepository(string? root, string first, string second, string option) =>
        root is null
            ? throw new CliException(ExitCodes.NotFound, $"{option} is needed: no SparseDictionary repository around '{Directory.GetCurrentDirectory()}'.")
            : Path.Combine(root, first, second);

    private static string? RepositoryRoot()
    {
        for (DirectoryInfo? dir = new(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "SparseDictionary.sln"))) return dir.FullName;
        }
        return null;
    }

    // One line per SAE (the collection stage is short).
    private sealed class Progress(CliContext context) : IProgress<SeedExperimentProgress>
    {
        public void Report(SeedExperimentProgress value)
        {
            if (value.Stage == "train") context.Note($"[{value.Completed}/{value.Total}] {value.Detail}");
        }
    }
}
