using System.CommandLine;
using System.Globalization;
using SparseDictionary.Activations;
using SparseDictionary.Autoencoders;
using SparseDictionary.Bridges;
using SparseDictionary.Cli.Inputs;
using SparseDictionary.Cli.Output;
using SparseDictionary.Evaluation;
using SparseDictionary.Experiments.Results;
using SparseDictionary.Experiments.Runs;
using SparseDictionary.Formats;
using SparseDictionary.Llama;
using SparseDictionary.Llama.Corpus;
using SparseDictionary.Training;
using static TorchSharp.torch;

namespace SparseDictionary.Cli.Commands;

/// <summary>
/// <c>sdict sweep</c>: trains every configuration of a sweep file (<see cref="SweepFile"/>) on one activation cache,
/// scores each on held-out activations (and, given <c>--model</c> and <c>--corpus</c>, on CE loss recovered at the cache's
/// hook), and writes one table (console and <c>results.csv</c>) and every SAE.
/// </summary>
internal sealed class SweepCommand : ICliCommand
{
    private readonly Option<string> _sweep = new("--sweep", "-s") { Description = "The sweep file (JSON: base settings and a grid).", Required = true, HelpName = "file" };

    private readonly Option<string> _activations = new("--activations", "-a")
    {
        Description = "The training activation cache (from 'sdict collect').", Required = true, HelpName = "folder",
    };

    private readonly Option<string?> _heldOut = new("--held-out")
    {
        Description = "A held-out activation cache to score on. Default: the first --eval-tokens of the training cache (in-sample).",
        HelpName = "folder",
    };

    private readonly Option<long?> _evalTokens = OptionFactory.TokenCount("--eval-tokens", "Activations scored per SAE.", 32_768);

    private readonly Option<string> _output = new("--output", "-o") { Description = "Where results.csv and one SAELens folder per run go.", Required = true, HelpName = "folder" };

    private readonly ModelOptions _model = new(modelRequired: false);

    private readonly ForceOption _force = new();

    private readonly CorpusOptions _corpus = new("With --model: score CE loss recovered on the first this many tokens of the corpus.",
        16_384, corpusRequired: false, batchName: "--model-batch");

    /// <inheritdoc />
    public Command Build(CliContext context)
    {
        var command = new Command("sweep", "Train a grid of SAE configurations on one activation cache and compare them in one table.");
        foreach (Option option in new Option[] { _sweep, _activations, _heldOut, _evalTokens, _output, _force.Option }) command.Options.Add(option);
        _model.AddTo(command);
        _corpus.AddTo(command);
        command.Validators.Add(result =>
        {
            if ((result.GetResult(_model.Model) is null) != (result.GetResult(_corpus.Corpus) is null))
            {
                result.AddError("CE loss recovered needs both --model and --corpus (held-out text); give both or neither.");
            }
        });
        command.SetAction(parsed => Run(parsed, context));
        return command;
    }

    private int Run(ParseResult parsed, CliContext context)
    {
        IReadOnlyList<SaeRunConfig> configs = SweepFile.Read(parsed.GetRequiredValue(_sweep)).Expand(parsed.GetRequiredValue(_sweep));
        ActivationCacheReader train = OpenCache(parsed.GetRequiredValue(_activations), "--activations");
        ActivationCacheReader held = parsed.GetValue(_heldOut) is { } heldPath ? OpenCache(heldPath, "--held-out") : train;
        if (held.DIn != train.DIn)
        {
            throw new CliException(ExitCodes.Incompatible, $"--held-out: activations of width {held.DIn}, but the training cache's are {train.DIn} wide.");
        }
        if (ReferenceEquals(held, train)) context.Note("No --held-out cache: scoring on the training cache's first tokens (in-sample).");
        Device device = parsed.GetRequiredValue(_model.Device).ToDevice();
        string output = Path.GetFullPath(parsed.GetRequiredValue(_output));
        foreach (SaeRunConfig config in configs) _force.RefuseExisting(parsed, Path.Combine(output, config.Name), "--output", $"the SAE of run '{config.Name}'");
        using CeScoring? ce = parsed.GetValue(_model.Model) is null ? null : OpenCeScoring(parsed, train);
        context.Note($"{configs.Count} runs on {train.Manifest.HookName} ({train.TotalTokens:N0} tokens)");

        using Tensor scored = SaeRunTraining.ReadHead(held, parsed.GetValue(_evalTokens) ?? 32_768, device);
        var runs = new List<RunResult>();
        foreach (SaeRunConfig config in configs)
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            (ISparseAutoencoder trained, TrainingResult result) = TrainCommand.TrainWithProgress(context, config, train, device);
            using ISparseAutoencoder sae = trained;
            double trainSeconds = clock.Elapsed.TotalSeconds;
            SaeRunEvaluation.Outcome outcome = SaeRunEvaluation.Evaluate(sae, scored, null);
            var metrics = new Dictionary<string, double>(outcome.Metrics);
            if (ce is not null)
            {
                using var progress = context.Progress<long>($"loss recovered {config.Name}", ce.MaxTokens, "tokens", t => t);
                LossRecoveredResult recovered = CorpusLossRecovered.Evaluate(ce.Loaded.Model, ce.Loaded.Tokenizer, sae, ce.Hook, _corpus.Open(parsed),
                    ce.Windows, ce.Batch, ce.MaxTokens, progress);
                foreach ((string name, double value) in recovered.ToMetrics()) metrics[name] = value;
            }
            SaeLensFolder.Save(sae, Path.Combine(output, config.Name),
                new SaeLensMetadata { ModelName = train.Manifest.ModelName, HookName = train.Manifest.HookName }, outcome.Log10FeatureSparsity);
            runs.Add(new RunResult(-1, train.Manifest.HookName, config.Architecture.Architecture.Name, "sweep", config, metrics, [], outcome.FiringHistogram,
                result.StepsCompleted, result.Resamplings.Sum(r => r.LatentsResampled), trainSeconds, clock.Elapsed.TotalSeconds - trainSeconds));
        }

        var table = ce is null ? new TextTable("run", "MSE", "EV", "L0", "dead") : new TextTable("run", "MSE", "EV", "L0", "dead", "CE rec.", "CE SAE");
        foreach (RunResult run in runs)
        {
            string[] cells = [run.Config.Name, Format(run.Metric(MetricNames.Mse), "E3"), Format(run.Metric(MetricNames.ExplainedVariance), "F3"),
                Format(run.Metric(MetricNames.L0), "F1"), Format(run.Metric(MetricNames.DeadFraction), "F3")];
            table.Add(ce is null ? cells : [.. cells, Format(run.Metric(LossRecoveredMetricNames.CeLossScore), "F3"), Format(run.Metric(LossRecoveredMetricNames.CeLossWithSae), "F3")]);
        }
        table.WriteTo(context.Output);
        AtomicFile.Write(Path.Combine(output, ResultsWriter.CsvFileName), s =>
        {
            using var writer = new StreamWriter(s, leaveOpen: true);
            writer.Write(ResultsWriter.Csv(runs));
        });
        context.Note($"Wrote {ResultsWriter.CsvFileName} and {runs.Count} SAELens folders to {output}." + (ce is null ? " Score CE loss recovered with --model and --corpus, or 'sdict eval'." : ""));
        return ExitCodes.Success;
    }

    // The model and held-out text every run's CE loss recovered is measured on, checked against the cache before loading.
    private CeScoring OpenCeScoring(ParseResult parsed, ActivationCacheReader train)
    {
        ModelSource model = _model.Locate(parsed);
        if (!HookPoint.TryParse(train.Manifest.HookName, out HookPoint hook))
        {
            throw CliException.Incompatible($"--activations: the cache's hook '{train.Manifest.HookName}' is not a hook point of a Llama model.");
        }
        model.CheckLayer($"the cache's hook {hook}", hook.Layer);
        if (train.DIn != model.Config.Dim)
        {
            throw CliException.Incompatible($"--activations: the cache holds activations of width {train.DIn}, but the model '{model.Name}' is {model.Config.Dim} wide.");
        }
        int contextLength = parsed.GetValue(_corpus.Context);
        model.CheckContext(contextLength);
        _corpus.Open(parsed); // fails now, not after the first run, if the corpus is missing
        return new CeScoring(model.Load(), hook, _corpus.Windows(parsed), parsed.GetValue(_corpus.Batch), parsed.GetValue(_corpus.MaxTokens));
    }

    private sealed record CeScoring(LoadedModel Loaded, HookPoint Hook, ContextWindowOptions Windows, int Batch, long? MaxTokens) : IDisposable
    {
        public void Dispose() => Loaded.Dispose();
    }

    private static ActivationCacheReader OpenCache(string folder, string option) =>
        Directory.Exists(folder) ? ActivationCacheReader.Open(folder) : throw new CliException(ExitCodes.NotFound, $"{option}: the folder '{folder}' does not exist.");

    private static string Format(double value, string format) => value.ToString(format, CultureInfo.InvariantCulture);
}
