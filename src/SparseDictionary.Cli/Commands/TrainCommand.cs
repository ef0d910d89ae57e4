using System.CommandLine;
using System.Globalization;
using SparseDictionary.Activations;
using SparseDictionary.Autoencoders;
using SparseDictionary.Cli.Inputs;
using SparseDictionary.Experiments.Runs;
using SparseDictionary.Formats;
using SparseDictionary.Training;

namespace SparseDictionary.Cli.Commands;

/// <summary>
/// <c>sdict train</c>: trains one SAE on an activation cache written by <c>collect</c> (read through a shuffle buffer)
/// and saves it as a SAELens folder with the cache's model and hook in its metadata.
/// </summary>
internal sealed class TrainCommand : ICliCommand
{
    private static readonly SaeRunConfig Defaults = new();

    private readonly Option<string> _activations = new("--activations", "-a")
    {
        Description = "An activation cache folder written by 'sdict collect' (one hook point).",
        Required = true,
        HelpName = "folder",
    };

    private readonly Option<string> _output = new("--output", "-o") { Description = "The SAELens folder to write.", Required = true, HelpName = "folder" };

    private readonly Option<string> _architecture = OptionFactory.OneOf("--architecture", "The SAE architecture.", [.. SaeRunConfig.Architectures], Defaults.Architecture);

    private readonly Option<string> _gatedLoss = OptionFactory.OneOf("--gated-loss",
        "Gated SAEs: the paper's full loss, or the original note's loss without the auxiliary term.", ["full", "no-aux"], "full");

    private readonly Option<int> _expansion = OptionFactory.PositiveInt("--expansion", "Latents per input dimension.", Defaults.ExpansionFactor);

    private readonly Option<double> _l1 = OptionFactory.Number("--l1", "The sparsity coefficient λ (L1; JumpReLU: L0).", Defaults.L1Coefficient);

    private readonly Option<int> _k = OptionFactory.PositiveInt("--k", "Active latents per token (topk, batchtopk).", Defaults.K);

    private readonly Option<double> _lr = OptionFactory.Number("--lr", "Peak learning rate.", Defaults.LearningRate, positive: true);

    private readonly Option<string> _schedule = OptionFactory.OneOf("--schedule", "Learning-rate shape after the warm-up.",
        ["constant", "cosine", "cosine-restarts"], "constant");

    private readonly Option<int> _steps = OptionFactory.PositiveInt("--steps", "Optimiser steps.", Defaults.Steps);

    private readonly Option<int> _batch = OptionFactory.PositiveInt("--batch", "Tokens per step.", Defaults.BatchSize);

    private readonly Option<int> _warmup = OptionFactory.PositiveInt("--warmup", "Steps of learning-rate warm-up.", Defaults.WarmupSteps);

    private readonly Option<bool> _resampling = new("--resampling") { Description = "Resample dead latents (Anthropic's recipe) every quarter of the run." };

    private readonly Option<int> _seed = OptionFactory.PositiveInt("--seed", "Seed of the initialisation, the shuffling and resampling.", (int)Defaults.Seed);

    private readonly Option<string> _checkpoint = new("--checkpoint")
    {
        Description = "The checkpoint folder (default: the output folder's name + '.checkpoint'); deleted once the SAE is saved.",
        HelpName = "folder",
    };

    private readonly Option<int> _checkpointEvery = OptionFactory.PositiveInt("--checkpoint-every",
        "Save a checkpoint every n steps (and on Ctrl+C or SIGTERM).", 1000);

    private readonly Option<bool> _resume = new("--resume")
    {
        Description = "Continue from the checkpoint of an interrupted run with the same options; the result is the one an uninterrupted run gives.",
    };

    private readonly ModelOptions _device = new();

    /// <summary>Trains <paramref name="config"/> on <paramref name="cache"/> with a progress bar; <c>sweep</c> uses it too.</summary>
    /// <remarks>A cancelled run throws <see cref="OperationCanceledException"/> (after its checkpoint, if any, is saved).</remarks>
    internal static (ISparseAutoencoder Sae, TrainingResult Result) TrainWithProgress(CliContext context, SaeRunConfig config, ActivationCacheReader cache,
        TorchSharp.torch.Device device, CheckpointOptions? checkpoint = null, bool resume = false)
    {
        using var progress = context.Progress<TrainingProgress>($"train {config.Name}", config.Steps, "steps", p => p.Step);
        var (sae, result) = SaeRunTraining.FromCache(config, cache, device, progress, context.Cancellation, checkpoint, resume);
        if (result.EndReason == TrainingEndReason.Cancelled)
        {
            sae.Dispose();
            throw new OperationCanceledException(context.Cancellation);
        }
        return (sae, result);
    }

    /// <inheritdoc />
    public Command Build(CliContext context)
    {
        var command = new Command("train", "Train one SAE on an activation cache and save it as a SAELens folder.");
        foreach (Option option in new Option[] { _activations, _output, _architecture, _gatedLoss, _expansion, _l1, _k, _lr, _schedule, _steps, _batch, _warmup, _resampling, _seed, _checkpoint, _checkpointEvery, _resume, _device.Device })
        {
            command.Options.Add(option);
        }
        command.SetAction(parsed => Run(parsed, context));
        return command;
    }

    private int Run(ParseResult parsed, CliContext context)
    {
        string cacheFolder = parsed.GetRequiredValue(_activations);
        if (!Directory.Exists(cacheFolder)) throw new CliException(ExitCodes.NotFound, $"--activations: the folder '{cacheFolder}' does not exist.");
        var config = new SaeRunConfig
        {
            Name = Path.GetFileName(Path.GetFullPath(parsed.GetRequiredValue(_output)).TrimEnd(Path.DirectorySeparatorChar)),
            Architecture = parsed.GetRequiredValue(_architecture),
            GatedLoss = parsed.GetRequiredValue(_gatedLoss) == "no-aux" ? Losses.GatedLossVariant.WithoutAuxiliary : Losses.GatedLossVariant.Full,
            ExpansionFactor = parsed.GetValue(_expansion),
            L1Coefficient = parsed.GetValue(_l1),
            K = parsed.GetValue(_k),
            LearningRate = parsed.GetValue(_lr),
            Schedule = parsed.GetRequiredValue(_schedule) switch
            {
                "cosine" => LearningRateShape.CosineAnnealing,
                "cosine-restarts" => LearningRateShape.CosineWithHardRestarts,
                _ => LearningRateShape.Constant,
            },
            Steps = parsed.GetValue(_steps),
            BatchSize = parsed.GetValue(_batch),
            WarmupSteps = Math.Min(parsed.GetValue(_warmup), parsed.GetValue(_steps)),
            Resampling = parsed.GetValue(_resampling),
            Seed = parsed.GetValue(_seed),
        };
        config.Validate();
        string output = parsed.GetRequiredValue(_output);
        string checkpointFolder = parsed.GetValue(_checkpoint) is { Length: > 0 } folder
            ? folder
            : Path.TrimEndingDirectorySeparator(Path.GetFullPath(output)) + ".checkpoint";
        bool resume = parsed.GetValue(_resume);
        if (resume && TrainingCheckpoint.Find(checkpointFolder) is null)
        {
            throw new CliException(ExitCodes.NotFound, $"--resume: there is no checkpoint in '{checkpointFolder}'.");
        }

        ActivationCacheReader cache = ActivationCacheReader.Open(cacheFolder);
        var device = parsed.GetRequiredValue(_device.Device).ToDevice();
        context.Detail($"cache {cache.Directory}: {cache.TotalTokens:N0} tokens of width {cache.DIn} at {cache.Manifest.HookName}");
        var checkpoint = new CheckpointOptions(checkpointFolder, parsed.GetValue(_checkpointEvery));
        ISparseAutoencoder trained;
        TrainingResult result;
        try
        {
            (trained, result) = TrainWithProgress(context, config, cache, device, checkpoint, resume);
        }
        catch (OperationCanceledException)
        {
            if (TrainingCheckpoint.Find(checkpointFolder) is not null)
            {
                context.Note($"Checkpoint saved in {checkpointFolder}; run the same command with --resume to continue.");
            }
            throw;
        }
        using ISparseAutoencoder sae = trained;
        try
        {
            SaeLensFolder.Save(sae, output, new SaeLensMetadata { ModelName = cache.Manifest.ModelName, HookName = cache.Manifest.HookName });
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The finished run is in the checkpoint: nothing is lost.
            context.Note($"The trained SAE is kept in the checkpoint {checkpointFolder}; run the same command with --resume (and another --output if needed) to save it.");
            throw;
        }
        TrainingCheckpoint.Delete(checkpointFolder);
        TrainingCurvePoint last = result.Curve[^1];
        context.Output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Saved {output}: {config.Architecture}, {sae.DSae} latents, {result.StepsCompleted} steps, final loss {last.Loss:G4}, L0 {last.L0:F1}, dead {last.DeadFraction:F3}."));
        return ExitCodes.Success;
    }
}
