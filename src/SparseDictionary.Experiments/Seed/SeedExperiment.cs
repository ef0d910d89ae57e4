using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using SparseDictionary.Autoencoders;
using SparseDictionary.Bridges;
using SparseDictionary.Bridges.Browser;
using SparseDictionary.Experiments.Results;
using SparseDictionary.Experiments.Runs;
using SparseDictionary.Formats;
using SparseDictionary.Llama;
using SparseDictionary.Llama.Corpus;
using SparseDictionary.Training;
using static TorchSharp.torch;

namespace SparseDictionary.Experiments.Seed;

/// <summary>
/// The original note's experiments on one model: residual-stream activations at three layers, standard vs Gated SAEs
/// (the note's loss and the paper's), with and without resampling, constant vs cosine-with-restarts learning rate, and λ
/// sweeps; every SAE scored on held-out text (MSE, explained variance, L0, dead fraction, CE loss recovered).
/// </summary>
public sealed class SeedExperiment
{
    private readonly SeedExperimentOptions _options;
    private readonly ILogger _logger;

    /// <summary>Creates the experiment; nothing runs until <see cref="Run"/>.</summary>
    /// <exception cref="ArgumentException">An option is invalid (the message names it).</exception>
    public SeedExperiment(SeedExperimentOptions options, ILogger<SeedExperiment>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <summary>Runs every planned SAE at every layer and returns the results (also written by <see cref="ResultsWriter"/>).</summary>
    public SeedExperimentResult Run(IProgress<SeedExperimentProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var total = Stopwatch.StartNew();
        Device device = _options.Device ?? CPU;
        using LlamaModel model = HuggingFaceCheckpoint.Load(_options.ModelFolder, _options.DType, device);
        ITokenizer tokenizer = ModelTokenizer.Load(_options.ModelFolder, model.Config.VocabSize);
        WikiTextSplit split = WikiTextSplit.Read(_options.CorporaFolder);
        IReadOnlyList<int> layers = _options.LayersFor(model.Config.LayerCount);
        HookPoint[] hooks = [.. layers.Select(l => new HookPoint(l, HookSite.ResidualPost))];

        var collectClock = Stopwatch.StartNew();
        _logger.LogInformation("Collecting {Tokens} training and {HeldOut} held-out activations at {Hooks}", _options.TrainTokens, _options.HeldOutTokens, string.Join(", ", hooks));
        Dictionary<HookPoint, Tensor> train = LayerActivations.Collect(model, tokenizer, split.TrainSource, hooks, _options.TrainTokens,
            _options.ContextLength, device, _options.DType, n => progress?.Report(new SeedExperimentProgress("collect", n, _options.TrainTokens, "training text")));
        Dictionary<HookPoint, Tensor> heldOut = LayerActivations.Collect(model, tokenizer, split.HeldOutSource, hooks, _options.HeldOutTokens,
            _options.ContextLength, device, _options.DType, n => progress?.Report(new SeedExperimentProgress("collect", n, _options.HeldOutTokens, "held-out text")));
        (Tensor tokens, Tensor mask) = LayerActivations.Windows(tokenizer, split.HeldOutSource, _options.LossRecoveredWindows, _options.ContextLength, device);
        double collectSeconds = collectClock.Elapsed.TotalSeconds;
        try
        {
            IReadOnlyList<SeedRunSpec> plan = SeedExperimentPlan.RunsFor(_options);
            var runs = new List<RunResult>();
            var baselines = new List<LayerBaseline>();
            var browsers = new List<LayerBrowser>();
            int totalRuns = plan.Count * hooks.Length;
            foreach (HookPoint hook in hooks)
            {
                // The clean and zero-ablated passes do not depend on the SAE: once per layer.
                using var baseline = LossRecoveredBaseline.Compute(model, new LossRecoveredOptions(hook) { BatchSize = 16 }, tokens, mask);
                using var candidate = new BrowserCandidate(_options.BrowserSelection);
                foreach (SeedRunSpec spec in plan)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    progress?.Report(new SeedExperimentProgress("train", runs.Count, totalRuns, $"{hook} {spec.Config.Name}"));
                    (RunResult run, LossRecoveredResult recovered, ISparseAutoencoder sae) = RunOne(hook, spec, train[hook], heldOut[hook], baseline, cancellationToken);
                    candidate.Offer(sae, run);
                    runs.Add(run);
                    if (baselines.All(b => b.Layer != hook.Layer))
                    {
                        baselines.Add(new LayerBaseline(hook.Layer, hook.Name, recovered.CeLossWithoutSae, recovered.CeLossWithAblation, recovered.ScoredTokens));
                    }
                }
                if (_options.BrowserTokens > 0 && candidate is { Sae: { } best, Run: { } bestRun })
                {
                    progress?.Report(new SeedExperimentProgress("browse", browsers.Count, hooks.Length, $"{hook} {bestRun.Config.Name}"));
                    browsers.Add(WriteBrowser(model, tokenizer, split.HeldOutSource, hook, best, bestRun));
                }
            }
            progress?.Report(new SeedExperimentProgress("train", runs.Count, totalRuns, "done"));
            return new SeedExperimentResult(
                Path.GetFullPath(_options.ModelFolder), model.Config.LayerCount, model.Config.Dim, train[hooks[0]].shape[0], heldOut[hooks[0]].shape[0],
                baselines, runs, collectSeconds, total.Elapsed.TotalSeconds, browsers);
        }
        finally
        {
            foreach (Tensor t in train.Values.Concat(heldOut.Values)) t.Dispose();
            tokens.Dispose();
            mask.Dispose();
        }
    }

    private LayerBrowser WriteBrowser(LlamaModel model, ITokenizer tokenizer, ITextSource heldOut, HookPoint hook, ISparseAutoencoder sae, RunResult run)
    {
        string relative = $"browse/layer{hook.Layer}";
        var options = new FeatureBrowserOptions
        {
            Windows = new ContextWindowOptions { ContextLength = _options.ContextLength },
            MaxTokens = _options.BrowserTokens,
            Title = $"Features of {run.Config.Name} at {hook} (seed experiment)",
        };
        FeatureSite site = FeatureBrowser.Write(model, tokenizer, sae, hook, heldOut, Path.Combine(_options.OutputFolder, relative), options, logger: _logger);
        _logger.LogInformation("{Hook}: feature browser of {Run} in {Folder}", hook, run.Config.Name, relative);
        return new LayerBrowser(hook.Layer, hook.Name, run.Config.Name, $"{relative}/index.html", site.Statistics.TokenCount);
    }

    /// <summary>Trains and scores one SAE; the caller owns the returned SAE.</summary>
    private (RunResult Run, LossRecoveredResult Recovered, ISparseAutoencoder Sae) RunOne(
        HookPoint hook, SeedRunSpec spec, Tensor train, Tensor heldOut, LossRecoveredBaseline baseline, CancellationToken cancellationToken)
    {
        ISparseAutoencoder sae = spec.Config.CreateSae((int)train.shape[1], train.device, train.dtype);
        try
        {
            (RunResult run, LossRecoveredResult recovered) = TrainAndScore(hook, spec, sae, train, heldOut, baseline, cancellationToken);
            return (run, recovered, sae);
        }
        catch
        {
            sae.Dispose();
            throw;
        }
    }

    private (RunResult Run, LossRecoveredResult Recovered) TrainAndScore(
        HookPoint hook, SeedRunSpec spec, ISparseAutoencoder sae, Tensor train, Tensor heldOut, LossRecoveredBaseline baseline, CancellationToken cancellationToken)
    {
        SaeRunConfig config = spec.Config;
        var clock = Stopwatch.StartNew();
        TrainingResult training;
        using (var source = new Activations.InMemoryActivationSource(train, shuffle: true, cycle: true, seed: config.Training.Seed + hook.Layer))
        {
            training = new SaeTrainer(sae, config.CreateLoss(sae), config.Training).Train(source, null, cancellationToken);
        }
        double trainSeconds = clock.Elapsed.TotalSeconds;
        clock.Restart();
        SaeRunEvaluation.Outcome outcome = SaeRunEvaluation.Evaluate(sae, heldOut, baseline);
        double evalSeconds = clock.Elapsed.TotalSeconds;
        if (_options.SaveSaes)
        {
            SaeLensFolder.Save(sae, Path.Combine(_options.OutputFolder, "saes", $"layer{hook.Layer}", config.Name), new SaeLensMetadata
            {
                ModelName = Path.GetFileName(Path.GetFullPath(_options.ModelFolder).TrimEnd(Path.DirectorySeparatorChar)),
                HookName = hook.Name,
                ContextSize = _options.ContextLength,
                PrependBos = true,
                DatasetPath = "wikitext-2",
            }, outcome.Log10FeatureSparsity);
        }
        var run = new RunResult(
            hook.Layer, hook.Name, spec.Family, spec.Variant, config, outcome.Metrics,
            [.. training.Curve.Select(p => new CurvePoint(p.Step, p.Tokens, p.LearningRate, p.Loss, p.Terms.GetValueOrDefault("mse_loss", double.NaN), p.L0, p.DeadFraction))],
            outcome.FiringHistogram, training.StepsCompleted, training.Resamplings.Sum(r => r.LatentsResampled), trainSeconds, evalSeconds);
        _logger.LogInformation("{Hook} {Run}: L0 {L0:F1}, EV {Ev:F3}, CE recovered {Ce:F3} ({Train:F1} s + {Eval:F1} s)",
            hook, config.Name, run.Metric(Evaluation.MetricNames.L0), run.Metric(Evaluation.MetricNames.ExplainedVariance),
            run.Metric(LossRecoveredMetricNames.CeLossScore), trainSeconds, evalSeconds);
        return (run, outcome.LossRecovered!);
    }
}
