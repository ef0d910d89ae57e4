using System.CommandLine;
using System.Globalization;
using SparseDictionary.Activations;
using SparseDictionary.Autoencoders;
using SparseDictionary.Bridges;
using SparseDictionary.Cli.Inputs;
using SparseDictionary.Experiments.Runs;
using SparseDictionary.Formats;
using SparseDictionary.Llama;
using SparseDictionary.Llama.Corpus;
using SparseDictionary.Training;

namespace SparseDictionary.Cli.Commands;

/// <summary>
/// <c>sdict train</c>: trains one SAE on an activation cache written by <c>collect</c>, or on a model's activations read
/// live over a corpus (either way through a shuffle buffer), and saves it as a SAELens folder with the model and hook in
/// its metadata.
/// </summary>
internal sealed class TrainCommand : ICliCommand
{
    private readonly Option<string?> _activations = new("--activations", "-a")
    {
        Description = "An activation cache folder written by 'sdict collect' (one hook point). Or give --model, --corpus and --layer.",
        HelpName = "folder",
    };

    private readonly ModelOptions _model = new(modelRequired: false);

    private readonly CorpusOptions _corpus = new("With --model: train on at most this many tokens of the corpus.", corpusRequired: false, batchName: "--model-batch");

    private readonly Option<int?> _layer = OptionFactory.Index("--layer", "With --model: train on blocks.L.hook_resid_post.");

    private readonly Option<string> _output = new("--output", "-o") { Description = "The SAELens folder to write.", Required = true, HelpName = "folder" };

    private readonly RunConfigOptions _run = new();

    private readonly ForceOption _force = new();

    private readonly Option<string> _checkpoint = new("--checkpoint")
    {
        Description = "The checkpoint folder (default: the output folder's name + '.checkpoint'); deleted once the SAE is saved. With --activations only.",
        HelpName = "folder",
    };

    private readonly Option<int> _checkpointEvery = OptionFactory.PositiveInt("--checkpoint-every",
        "Save a checkpoint every n steps (and on Ctrl+C or SIGTERM).", 1000);

    private readonly Option<bool> _resume = new("--resume")
    {
        Description = "Continue from the checkpoint of an interrupted run with the same options; the result is the one an uninterrupted run gives. With --activations only.",
    };

    /// <summary>Trains <paramref name="config"/> on <paramref name="cache"/> with a progress bar; <c>sweep</c> uses it too.</summary>
    /// <remarks>A cancelled run throws <see cref="OperationCanceledException"/> (after its checkpoint, if any, is saved).</remarks>
    internal static (ISparseAutoencoder Sae, TrainingResult Result) TrainWithProgress(CliContext context, SaeRunConfig config, ActivationCacheReader cache,
        TorchSharp.torch.Device device, CheckpointOptions? checkpoint = null, bool resume = false)
    {
        using var source = new CachedActivationSource(cache, new CachedActivationSourceOptions { Cycle = true });
        return TrainWithProgress(context, config, source, device, checkpoint, resume);
    }

    /// <summary>Trains <paramref name="config"/> on <paramref name="source"/> with a progress bar.</summary>
    private static (ISparseAutoencoder Sae, TrainingResult Result) TrainWithProgress(CliContext context, SaeRunConfig config, IActivationSource source,
        TorchSharp.torch.Device device, CheckpointOptions? checkpoint = null, bool resume = false)
    {
        using var progress = context.Progress<TrainingProgress>($"train {config.Name}", config.Training.TotalSteps, "steps", p => p.Step);
        var (sae, result) = SaeRunTraining.FromSource(config, source, device, progress, context.Cancellation, checkpoint, resume);
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
        var command = new Command("train", "Train one SAE on an activation cache, or on a model's activations over a corpus, and save it as a SAELens folder.");
        command.Options.Add(_activations);
        _model.AddTo(command);
        _corpus.AddTo(command);
        command.Options.Add(_layer);
        command.Options.Add(_output);
        _run.AddTo(command);
        foreach (Option option in new Option[] { _checkpoint, _checkpointEvery, _resume, _force.Option }) command.Options.Add(option);
        command.Validators.Add(result =>
        {
            bool cache = result.GetResult(_activations) is not null, model = result.GetResult(_model.Model) is not null;
            if (cache == model) result.AddError("Give --activations (a cache from 'sdict collect'), or --model with --corpus and --layer; not both.");
            if (model && (result.GetResult(_corpus.Corpus) is null || result.GetResult(_layer) is null)) result.AddError("--model needs --corpus and --layer.");
            if (model && (result.GetResult(_resume) is not null || result.GetResult(_checkpoint) is not null))
            {
                result.AddError("--resume and --checkpoint need --activations: a model read live cannot save its position.");
            }
        });
        command.SetAction(parsed => Run(parsed, context));
        return command;
    }

    private int Run(ParseResult parsed, CliContext context)
    {
        SaeRunConfig config = _run.Read(parsed, Path.GetFileName(Path.GetFullPath(parsed.GetRequiredValue(_output)).TrimEnd(Path.DirectorySeparatorChar)));
        var device = parsed.GetRequiredValue(_model.Device).ToDevice();

        string output = parsed.GetRequiredValue(_output);
        string checkpointFolder = parsed.GetValue(_checkpoint) is { Length: > 0 } folder
            ? folder
            : Path.TrimEndingDirectorySeparator(Path.GetFullPath(output)) + ".checkpoint";
        string? cacheFolder = parsed.GetValue(_activations);
        bool resume = parsed.GetValue(_resume);
        if (!resume) _force.RefuseExisting(parsed, Path.GetFullPath(output), "--output", "an SAE");
        if (resume && TrainingCheckpoint.Find(checkpointFolder) is null)
        {
            throw new CliException(ExitCodes.NotFound, $"--resume: there is no checkpoint in '{checkpointFolder}'.");
        }

        ISparseAutoencoder trained;
        TrainingResult result;
        SaeLensMetadata metadata;
        try
        {
            (trained, result, metadata) = cacheFolder is not null
                ? TrainOnCache(context, config, cacheFolder, device, new CheckpointOptions(checkpointFolder, parsed.GetValue(_checkpointEvery)), resume)
                : TrainOnModel(parsed, context, config, device);
        }
        catch (OperationCanceledException)
        {
            if (cacheFolder is not null && TrainingCheckpoint.Find(checkpointFolder) is not null)
            {
                context.Note($"Checkpoint saved in {checkpointFolder}; run the same command with --resume to continue.");
            }
            throw;
        }
        using ISparseAutoencoder sae = trained;
        try
        {
            SaeLensFolder.Save(sae, output, metadata);
        }
        catch (Exception e) when (cacheFolder is not null && e is IOException or UnauthorizedAccessException)
        {
            // The finished run is in the checkpoint: nothing is lost.
            context.Note($"The trained SAE is kept in the checkpoint {checkpointFolder}; run the same command with --resume (and another --output if needed) to save it.");
            throw;
        }
        if (cacheFolder is not null) TrainingCheckpoint.Delete(checkpointFolder);
        TrainingCurvePoint last = result.Curve[^1];
        if (result.EndReason == TrainingEndReason.SourceExhausted)
        {
            context.Note($"The corpus ran out after {result.StepsCompleted} of {config.Training.TotalSteps} steps; give a larger --corpus or fewer --steps.");
        }
        context.Output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Saved {output}: {sae.Architecture}, {sae.DSae} latents, {result.StepsCompleted} steps, final loss {last.Loss:G4}, L0 {last.L0:F1}, dead {last.DeadFraction:F3}."));
        return ExitCodes.Success;
    }

    private static (ISparseAutoencoder, TrainingResult, SaeLensMetadata) TrainOnCache(
        CliContext context, SaeRunConfig config, string cacheFolder, TorchSharp.torch.Device device, CheckpointOptions checkpoint, bool resume)
    {
        if (!Directory.Exists(cacheFolder)) throw new CliException(ExitCodes.NotFound, $"--activations: the folder '{cacheFolder}' does not exist.");
        ActivationCacheReader cache = ActivationCacheReader.Open(cacheFolder);
        context.Detail($"cache {cache.Directory}: {cache.TotalTokens:N0} tokens of width {cache.DIn} at {cache.Manifest.HookName}");
        (ISparseAutoencoder sae, TrainingResult result) = TrainWithProgress(context, config, cache, device, checkpoint, resume);
        return (sae, result, new SaeLensMetadata { ModelName = cache.Manifest.ModelName, HookName = cache.Manifest.HookName });
    }

    // The model's activations are read live: one forward pass per --batch windows, shuffled before training sees them.
    private (ISparseAutoencoder, TrainingResult, SaeLensMetadata) TrainOnModel(ParseResult parsed, CliContext context, SaeRunConfig config, TorchSharp.torch.Device device)
    {
        ModelSource model = _model.Locate(parsed);
        int layer = parsed.GetValue(_layer) ?? throw new CliException(ExitCodes.InvalidInput, "--model needs --layer.");
        model.CheckLayer("--layer", layer);
        int contextLength = parsed.GetValue(_corpus.Context);
        model.CheckContext(contextLength);
        ITextSource text = _corpus.Open(parsed);
        var hook = new HookPoint(layer, HookSite.ResidualPost);
        using LoadedModel loaded = model.Load();
        context.Detail($"model {model.Path} ({model.Config.LayerCount} layers, width {model.Config.Dim}) on {model.Device}, {model.DType}, at {hook}");
        var options = new ModelActivationSourceOptions
        {
            Windows = _corpus.Windows(parsed),
            WindowsPerForward = parsed.GetValue(_corpus.Batch),
            DType = model.DType,
            MaxTokens = parsed.GetValue(_corpus.MaxTokens),
        };
        using var source = new ModelActivationSource(loaded.Model, loaded.Tokenizer, text, hook, options);
        (ISparseAutoencoder sae, TrainingResult result) = TrainWithProgress(context, config, source, device);
        return (sae, result, new SaeLensMetadata { ModelName = model.Name, HookName = hook.Name, ContextSize = contextLength, PrependBos = true });
    }
}
