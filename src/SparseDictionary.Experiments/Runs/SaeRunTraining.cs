using SparseDictionary.Activations;
using SparseDictionary.Autoencoders;
using SparseDictionary.Training;
using static TorchSharp.torch;

namespace SparseDictionary.Experiments.Runs;

/// <summary>Trains a <see cref="SaeRunConfig"/> on an on-disk activation cache.</summary>
public static class SaeRunTraining
{
    /// <summary>
    /// Creates the run's SAE on <paramref name="device"/> (float32) and trains it on <paramref name="cache"/>, read in a
    /// shuffle buffer seeded by the run's seed and cycled as often as the steps need. The caller owns the SAE.
    /// </summary>
    /// <param name="config">The run.</param>
    /// <param name="cache">The activations.</param>
    /// <param name="device">Where to train.</param>
    /// <param name="progress">Told after every step.</param>
    /// <param name="cancellationToken">Stops training between steps (a checkpoint is saved first when <paramref name="checkpoint"/> is set).</param>
    /// <param name="checkpoint">Where and how often to save checkpoints; <see langword="null"/> for none.</param>
    /// <param name="resume">Continue from the checkpoint in <paramref name="checkpoint"/>'s folder instead of starting afresh.</param>
    public static (ISparseAutoencoder Sae, TrainingResult Result) FromCache(
        SaeRunConfig config, ActivationCacheReader cache, Device device, IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default,
        CheckpointOptions? checkpoint = null, bool resume = false)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(cache);
        using var source = new CachedActivationSource(cache, new CachedActivationSourceOptions { Cycle = true });
        return FromSource(config, source, device, progress, cancellationToken, checkpoint, resume);
    }

    /// <summary>
    /// Creates the run's SAE on <paramref name="device"/> (float32) and trains it on <paramref name="source"/> (a model
    /// read live, a cache, memory), read through a shuffle buffer seeded by the run's seed: activations of neighbouring
    /// tokens are correlated, and an SAE trained on them in order sees one document at a time. The caller owns both the
    /// source and the returned SAE; training ends early if the source runs out.
    /// </summary>
    /// <param name="config">The run.</param>
    /// <param name="source">The activations; checkpoints need an <see cref="IResumableActivationSource"/>.</param>
    /// <param name="device">Where to train.</param>
    /// <param name="progress">Told after every step.</param>
    /// <param name="cancellationToken">Stops training between steps (a checkpoint is saved first when <paramref name="checkpoint"/> is set).</param>
    /// <param name="checkpoint">Where and how often to save checkpoints; <see langword="null"/> for none.</param>
    /// <param name="resume">Continue from the checkpoint in <paramref name="checkpoint"/>'s folder instead of starting afresh.</param>
    public static (ISparseAutoencoder Sae, TrainingResult Result) FromSource(
        SaeRunConfig config, IActivationSource source, Device device, IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default,
        CheckpointOptions? checkpoint = null, bool resume = false)
    {
        if (resume && checkpoint is null) throw new ArgumentException("Resuming needs the checkpoint options.", nameof(resume));
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(source);
        ISparseAutoencoder sae = config.CreateSae(source.DIn, device, ScalarType.Float32);
        try
        {
            using var shuffled = new ShuffleBuffer(source, new ShuffleBufferOptions { Seed = config.Training.Seed }, disposeInner: false);
            var trainer = new SaeTrainer(sae, config.CreateLoss(sae), config.Training with { Checkpoint = checkpoint });
            TrainingResult result = resume
                ? trainer.Resume(shuffled, checkpoint!.Folder, progress, cancellationToken)
                : trainer.Train(shuffled, progress, cancellationToken);
            return (sae, result);
        }
        catch
        {
            sae.Dispose();
            throw;
        }
    }

    /// <summary>The first <paramref name="tokens"/> activations of a cache (fewer if it is shorter), as float32 on <paramref name="device"/>.</summary>
    public static Tensor ReadHead(ActivationCacheReader cache, long tokens, Device device)
    {
        ArgumentNullException.ThrowIfNull(cache);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(tokens);
        using var source = new CachedActivationSource(cache, new CachedActivationSourceOptions { Cycle = false });
        var pieces = new List<Tensor>();
        long read = 0;
        using (var scope = NewDisposeScope())
        {
            while (read < tokens && source.NextBatch((int)Math.Min(65_536, tokens - read)) is { } batch)
            {
                pieces.Add(batch);
                read += batch.shape[0];
            }
            if (pieces.Count == 0) throw new InvalidDataException($"The activation cache '{cache.Directory}' holds no tokens.");
            return cat(pieces, 0).to(device).DetachFromDisposeScope();
        }
    }
}
